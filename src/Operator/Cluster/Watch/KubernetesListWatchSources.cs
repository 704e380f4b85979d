using System.Runtime.CompilerServices;
using System.Text.Json;
using Admission.Kubernetes;
using Admission.Policies.Model;
using k8s;
using k8s.Autorest;

namespace Admission.Operator.Cluster;

/// <summary>ChangeApprovals in every namespace, through the custom objects API.</summary>
/// <param name="pageSize">Items per page of a full list (<see cref="KubeJson.ListInPagesAsync"/>).</param>
internal sealed class ChangeApprovalListWatch(IKubernetes client, int pageSize = KubeJson.PageSize) : IListWatchSource, ILiveReader
{
    public string Name => "ChangeApprovals";

    public Task<ListResult> ListAsync(CancellationToken cancellationToken) =>
        KubeJson.ListInPagesAsync(async (next, limit, ct) =>
        {
            using var response = await client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<JsonElement>(
                ChangeApproval.Group, ChangeApproval.Version, ChangeApproval.Plural, continueParameter: next, limit: limit, cancellationToken: ct).ConfigureAwait(false);
            return response.Body;
        }, pageSize, cancellationToken);

    public IAsyncEnumerable<WatchEvent> WatchAsync(string resourceVersion, CancellationToken cancellationToken) =>
        KubeJson.WatchAsync(ct => client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<JsonElement>(
            ChangeApproval.Group, ChangeApproval.Version, ChangeApproval.Plural,
            allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: KubeJson.WatchTimeoutSeconds(), watch: true,
            cancellationToken: ct), cancellationToken);

    public async Task<IReadOnlyList<JsonElement>> ListApprovalsAsync(string ns, CancellationToken cancellationToken)
    {
        using var response = await client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(
            ChangeApproval.Group, ChangeApproval.Version, ns, ChangeApproval.Plural, cancellationToken: cancellationToken).ConfigureAwait(false);
        return KubeJson.ToListResult(response.Body).Items;
    }

    public async Task<JsonElement?> ReadNamespaceAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.CoreV1.ReadNamespaceWithHttpMessagesAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
            return KubeJson.ToElement(response.Body);
        }
        catch (HttpOperationException e) when (ApiError.From(e).IsNotFound)
        {
            return null;
        }
    }
}

/// <summary>Namespaces, for their labels.</summary>
/// <param name="pageSize">Items per page of a full list (<see cref="KubeJson.ListInPagesAsync"/>).</param>
internal sealed class NamespaceListWatch(IKubernetes client, int pageSize = KubeJson.PageSize) : IListWatchSource
{
    public string Name => "Namespaces";

    public Task<ListResult> ListAsync(CancellationToken cancellationToken) =>
        KubeJson.ListInPagesAsync(async (next, limit, ct) =>
        {
            using var response = await client.CoreV1.ListNamespaceWithHttpMessagesAsync(continueParameter: next, limit: limit, cancellationToken: ct).ConfigureAwait(false);
            return KubeJson.ToElement(response.Body);
        }, pageSize, cancellationToken);

    public IAsyncEnumerable<WatchEvent> WatchAsync(string resourceVersion, CancellationToken cancellationToken) =>
        KubeJson.WatchAsync(ct => client.CoreV1.ListNamespaceWithHttpMessagesAsync(
            allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: KubeJson.WatchTimeoutSeconds(), watch: true,
            cancellationToken: ct), cancellationToken);
}

internal static class KubeJson
{
    /// <summary>client-go's pager's default page: 500 items.</summary>
    public const int PageSize = 500;

    /// <summary>
    /// A full list read in pages, as client-go's pager reads one: every page is served as of the first
    /// page's resourceVersion, so together they are one consistent list. One response of 10,000
    /// ChangeApprovals is read into buffers of the response's size, which the shared array pool then
    /// keeps (24 MB measured after one such list: docs/performance.md); a page's buffers are a page's
    /// size. When the first page's version is compacted before the last page is read (410 Expired),
    /// the list is read again whole, in one response, as client-go's pager does.
    /// </summary>
    /// <param name="page">Reads one page: the continue token (null for the first) and the limit (null for everything).</param>
    public static async Task<ListResult> ListInPagesAsync(Func<string?, int?, CancellationToken, Task<JsonElement>> page, int pageSize, CancellationToken cancellationToken)
    {
        var items = new List<JsonElement>();
        string? next = null;
        while (true)
        {
            JsonElement list;
            try
            {
                list = await page(next, pageSize, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (next is not null && ApiError.From(e).IsGone)
            {
                return ToListResult(await page(null, null, cancellationToken).ConfigureAwait(false));
            }
            var result = ToListResult(list);
            items.AddRange(result.Items);
            next = list.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object &&
                metadata.TryGetProperty("continue", out var token) && token.ValueKind == JsonValueKind.String ? token.GetString() : null;
            if (string.IsNullOrEmpty(next)) return new ListResult(items, result.ResourceVersion);
        }
    }

    /// <summary>Like client-go, ask the server to end each watch after 5 to 10 minutes; it is resumed at once.</summary>
    public static int WatchTimeoutSeconds() => 300 + Random.Shared.Next(300);

    /// <summary>
    /// The client's typed list as JSON. The elements outlive this call (the cache keeps items), so
    /// they are cloned out of a document that is disposed at once: the parse's pooled buffers go
    /// back to the pool instead of being held until the GC finds the document.
    /// </summary>
    public static JsonElement ToElement(object value)
    {
        using var document = JsonDocument.Parse(KubernetesJson.Serialize(value));
        return document.RootElement.Clone();
    }

    public static ListResult ToListResult(JsonElement list)
    {
        var items = new List<JsonElement>();
        if (list.ValueKind == JsonValueKind.Object && list.TryGetProperty("items", out var array) && array.ValueKind == JsonValueKind.Array)
        {
            items.AddRange(array.EnumerateArray());
        }
        var rv = ObjectFields.ResourceVersion(list);
        if (string.IsNullOrEmpty(rv))
        {
            throw new InvalidOperationException("the list has no metadata.resourceVersion to watch from");
        }
        return new ListResult(items, rv);
    }

    /// <summary>
    /// Runs a <c>watch=true</c> list call and turns its lines into events. An ERROR line (a Status)
    /// becomes an <see cref="WatchEventKind.Error"/> event; an HTTP 410 a <see cref="ResourceExpiredException"/>.
    /// </summary>
    public static async IAsyncEnumerable<WatchEvent> WatchAsync<TList>(
        Func<CancellationToken, Task<HttpOperationResponse<TList>>> call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        HttpOperationResponse<TList> response;
        try
        {
            response = await call(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (ApiError.From(e).IsGone)
        {
            throw new ResourceExpiredException(e.Response.Content ?? "410 Gone");
        }
        using (response)
        {
            Exception? error = null;
#pragma warning disable CS0618 // the library marks its watch helpers as due for replacement; they are what it offers today
            var lines = Task.FromResult(response).WatchAsync<JsonElement, TList>(e => error ??= e, cancellationToken);
#pragma warning restore CS0618
            await foreach (var (type, obj) in lines.ConfigureAwait(false))
            {
                if (error is not null) break;
                yield return new WatchEvent(type switch
                {
                    WatchEventType.Added => WatchEventKind.Added,
                    WatchEventType.Modified => WatchEventKind.Modified,
                    WatchEventType.Deleted => WatchEventKind.Deleted,
                    WatchEventType.Bookmark => WatchEventKind.Bookmark,
                    _ => WatchEventKind.Error,
                }, obj);
            }
            if (error is KubernetesException { Status: { } status })
            {
                // V1Status does not serialize (its converter only reads): carry what the loop needs.
                yield return new WatchEvent(WatchEventKind.Error, JsonSerializer.SerializeToElement(new Dictionary<string, object?>
                {
                    ["kind"] = "Status",
                    ["code"] = status.Code,
                    ["reason"] = status.Reason,
                    ["message"] = status.Message,
                }, StatusJson.Default.DictionaryStringObject));
            }
            else if (error is not null)
            {
                throw new IOException("watch stream failed: " + error.Message, error);
            }
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, object?>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(int))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class StatusJson : System.Text.Json.Serialization.JsonSerializerContext;
