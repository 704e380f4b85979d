using System.Text.Json;
using Admission.Kubernetes;
using Admission.Policies;
using Admission.Policies.Model;

namespace Admission.Operator.Cluster;

/// <summary>
/// A ChangeApproval as the API server holds it: the raw object (for the status operator) and,
/// when its spec reads, the model decisions use. One that does not read never approves anything.
/// </summary>
internal sealed record CachedApproval(string Namespace, string Name, JsonElement Raw, ChangeApproval? Model, string? Problem)
{
    public string Key => Namespace + "/" + Name;

    public string? ResourceVersion => ObjectFields.ResourceVersion(Raw);

    public string? Uid => ObjectFields.Uid(Raw);

    public long Generation => ObjectFields.Generation(Raw) ?? 0;

    public JsonElement? Status => Raw.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Object ? s : null;

    public static CachedApproval? From(JsonElement raw)
    {
        if (ObjectFields.Name(raw) is not { Length: > 0 } name || ObjectFields.Namespace(raw) is not { Length: > 0 } ns) return null;
        var errors = new List<InputError>();
        var model = ChangeApprovalReader.Read(raw, errors, $"ChangeApproval {ns}/{name}", ns);
        return new CachedApproval(ns, name, raw, model, errors.Count == 0 ? null : string.Join("; ", errors.Select(e => $"{e.Field} {e.Message}")));
    }
}

/// <summary>The raw ChangeApprovals the status operator works from, with a change feed.</summary>
internal interface IApprovalObjects
{
    IReadOnlyCollection<CachedApproval> All { get; }

    CachedApproval? Find(string key);

    /// <summary>Raised with the key of each ChangeApproval added, changed or removed (after the snapshot is published).</summary>
    event Action<string>? Changed;
}
