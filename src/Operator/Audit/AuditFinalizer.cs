using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Admission.Kubernetes;
using Admission.Operator.Cluster;
using Admission.Operator.Notifications;
using Admission.Policies.Model;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Admission.Operator.Audit;

/// <summary>Adds and removes one finalizer on a ChangeApproval. Tests record the calls.</summary>
internal interface IFinalizerWriter
{
    Task AddAsync(CachedApproval approval, string finalizer, CancellationToken cancellationToken);

    Task RemoveAsync(CachedApproval approval, string finalizer, CancellationToken cancellationToken);
}

internal sealed class KubernetesFinalizerWriter(IKubernetes client) : IFinalizerWriter
{
    public Task AddAsync(CachedApproval approval, string finalizer, CancellationToken cancellationToken) =>
        PatchAsync(approval, [.. AuditFinalizer.Finalizers(approval.Raw), finalizer], cancellationToken);

    public Task RemoveAsync(CachedApproval approval, string finalizer, CancellationToken cancellationToken) =>
        PatchAsync(approval, [.. AuditFinalizer.Finalizers(approval.Raw).Where(f => f != finalizer)], cancellationToken);

    /// <summary>A JSON patch at the read resourceVersion, so that another's finalizer added meanwhile is never dropped (409, redone on the next change).</summary>
    private async Task PatchAsync(CachedApproval approval, IReadOnlyList<string> finalizers, CancellationToken cancellationToken)
    {
        var ops = new JsonArray(
            new JsonObject { ["op"] = "test", ["path"] = "/metadata/resourceVersion", ["value"] = approval.ResourceVersion },
            new JsonObject { ["op"] = "add", ["path"] = "/metadata/finalizers", ["value"] = new JsonArray([.. finalizers.Select(f => (JsonNode)JsonValue.Create(f))]) });
        try
        {
            using var _ = await client.CustomObjects.PatchNamespacedCustomObjectWithHttpMessagesAsync(
                new V1Patch(ops.ToJsonString(), V1Patch.PatchType.JsonPatch), ChangeApproval.Group, ChangeApproval.Version,
                approval.Namespace, ChangeApproval.Plural, approval.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (ApiError.From(e).IsNotFound)
        {
            // gone already
        }
    }
}

/// <summary>
/// Leader-only: the finalizer <see cref="Name"/> holds the deletion of a ChangeApproval whose change
/// may be applied and has no emitted change record yet, so deleting it never loses the record
/// (issue 14). It is put on a ChangeApproval once it is Approved (or seen applied) without a
/// record, and taken off as soon as the record is out (<see cref="AuditRecorder"/> writes it, on
/// a deleted one too), or when there will be none: deleted, expired or rejected before its change
/// was applied, or retrospective (its record is written with it). Never left on to block a
/// namespace's deletion while the operator runs; without the operator, docs/operating.md says
/// how to remove it.
/// </summary>
internal sealed partial class AuditFinalizer(IApprovalObjects objects, IFinalizerWriter writer, ILogger<AuditFinalizer> logger) : ILeaderWork
{
    public const string Name = "audit.approvals.admission.dev/record";

    public static IReadOnlyList<string> Finalizers(JsonElement raw) => ObjectFields.Finalizers(raw);

    /// <summary>What the finalizer should be on <paramref name="approval"/>: true on, false off, null leave as it is.</summary>
    internal static bool? Wanted(CachedApproval approval)
    {
        if (approval.Model is not { } model) return null;
        if (ChangeRecord.Emitted(approval.Raw) || model.Retrospective) return false;
        var applied = NotificationEvents.Of(approval.Raw, []).Any(e => e.Kind == NotificationKind.Applied);
        if (applied) return true;
        var phase = approval.Status is { } s && s.TryGetProperty("phase", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        if (model.Deleting || phase is ChangeApproval.PhaseExpired or ChangeApproval.PhaseRejected) return false;
        return phase == ChangeApproval.PhaseApproved ? true : null;
    }

    public Task RunAsync(CancellationToken leading) => ChangedApprovals.EachAsync(objects, _ => true, key => ReconcileAsync(key, leading), leading);

    private async Task ReconcileAsync(string key, CancellationToken leading)
    {
        if (objects.Find(key) is not { } approval) return;
        var has = Finalizers(approval.Raw).Contains(Name);
        try
        {
            switch (Wanted(approval))
            {
                // No finalizer can be added to an object being deleted (kube-apiserver refuses it).
                case true when !has && approval.Model is { Deleting: false }:
                    await writer.AddAsync(approval, Name, leading).ConfigureAwait(false);
                    LogAdded(logger, key);
                    break;
                case false when has:
                    await writer.RemoveAsync(approval, Name, leading).ConfigureAwait(false);
                    LogRemoved(logger, key);
                    break;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A conflict or an outage: the next change of the object (or the next leader) tries again.
            LogFailed(logger, key, ListWatchLoop.Describe(e));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "audit finalizer added to {Key}: its deletion waits for its change record")]
    private static partial void LogAdded(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Information, Message = "audit finalizer removed from {Key}")]
    private static partial void LogRemoved(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "audit finalizer of {Key} not changed, retried on its next change: {Error}")]
    private static partial void LogFailed(ILogger logger, string key, string error);
}
