using System.Text.Json;
using Admission.Kubernetes;

namespace Admission.Operator.Cluster;

/// <summary>One page holding a whole collection, and the resourceVersion to watch from.</summary>
internal sealed record ListResult(IReadOnlyList<JsonElement> Items, string ResourceVersion);

internal enum WatchEventKind
{
    Added,
    Modified,
    Deleted,
    Bookmark,
    Error,
}

/// <summary>One line of a watch. For <see cref="WatchEventKind.Error"/>, <see cref="Object"/> is a Status.</summary>
internal sealed record WatchEvent(WatchEventKind Kind, JsonElement Object)
{
    public string? ResourceVersion => ObjectFields.ResourceVersion(Object);

    /// <summary>The HTTP-like code of an ERROR event's Status (410 when the resourceVersion is too old).</summary>
    public int? ErrorCode => Kind == WatchEventKind.Error && Object.ValueKind == JsonValueKind.Object &&
        Object.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : null;

    public string ErrorMessage => Object.ValueKind == JsonValueKind.Object && Object.TryGetProperty("message", out var m) &&
        m.ValueKind == JsonValueKind.String ? m.GetString()! : Object.GetRawText();
}

/// <summary>The resourceVersion asked for is older than the server keeps: relist (HTTP 410 Gone).</summary>
internal sealed class ResourceExpiredException(string message) : Exception(message);

/// <summary>
/// A collection the cache follows: list it whole, then watch from the list's resourceVersion. The
/// Kubernetes implementation is <see cref="KubernetesListWatchSources"/>; tests drive a fake.
/// </summary>
internal interface IListWatchSource
{
    /// <summary>"ChangeApprovals" or "Namespaces", for logs and readiness.</summary>
    string Name { get; }

    Task<ListResult> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Events from <paramref name="resourceVersion"/> on, with bookmarks. Ends when the server
    /// closes the watch; throws <see cref="ResourceExpiredException"/> when the server answers 410.
    /// </summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(string resourceVersion, CancellationToken cancellationToken);
}

/// <summary>The reads made before a denial, live from the API server.</summary>
internal interface ILiveReader
{
    Task<IReadOnlyList<JsonElement>> ListApprovalsAsync(string ns, CancellationToken cancellationToken);

    /// <summary>The Namespace object, or null when it does not exist.</summary>
    Task<JsonElement?> ReadNamespaceAsync(string name, CancellationToken cancellationToken);
}
