using System.Text.Json;
using System.Text.Json.Nodes;
using Admission.Kubernetes;
using Admission.Operator.Cluster;
using Admission.Policies.Model;
using k8s;
using k8s.Models;

namespace Admission.Operator.Notifications;

/// <summary>
/// What has been sent, kept on the ChangeApproval itself: one annotation per receiver,
/// <c>notified.approvals.admission.dev/RECEIVER</c>, holding the JSON list of event ids sent (or
/// given up). A new leader reads it and sends only the rest, so a leader change sends nothing twice.
/// </summary>
internal static class DeliveryRecord
{
    public const string Prefix = "notified.approvals.admission.dev/";

    public static string Key(string receiver) => Prefix + receiver;

    public static IReadOnlyList<string> Read(JsonElement raw, string receiver)
    {
        if (ObjectFields.Annotation(raw, Key(receiver)) is not { } recorded)
        {
            return [];
        }
        try
        {
            using var doc = JsonDocument.Parse(recorded);
            return doc.RootElement.ValueKind == JsonValueKind.Array
                ? [.. doc.RootElement.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
                : [];
        }
        catch (JsonException)
        {
            return []; // edited by hand into something else: start over rather than stop
        }
    }

    public static string Format(IEnumerable<string> ids) => new JsonArray([.. ids.Select(i => (JsonNode)JsonValue.Create(i))]).ToJsonString();
}

/// <summary>Sets one annotation on a ChangeApproval (delivery records, audit records). Tests record the calls.</summary>
internal interface IAnnotationWriter
{
    Task SetAsync(CachedApproval approval, string key, string value, CancellationToken cancellationToken);
}

internal sealed class KubernetesAnnotationWriter(IKubernetes client) : IAnnotationWriter
{
    /// <summary>A merge patch of one annotation: it never conflicts with reviews appended meanwhile.</summary>
    public async Task SetAsync(CachedApproval approval, string key, string value, CancellationToken cancellationToken)
    {
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [key] = value } } };
        using var _ = await client.CustomObjects.PatchNamespacedCustomObjectWithHttpMessagesAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), ChangeApproval.Group, ChangeApproval.Version,
            approval.Namespace, ChangeApproval.Plural, approval.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
