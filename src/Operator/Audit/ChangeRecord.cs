using System.Text.Json;
using System.Text.Json.Nodes;
using Admission.Kubernetes;
using Admission.Operator.Cluster;

namespace Admission.Operator.Audit;

/// <summary>
/// The record an auditor samples for one change that reached the cluster: who asked, who
/// reviewed (when, with what comment), why, which ticket, what exactly (target, change digest and
/// base, images), and when it was applied. Built from the ChangeApproval as stored.
/// </summary>
internal static class ChangeRecord
{
    /// <summary>Where the emitted record is kept on the ChangeApproval (and how a new leader knows it is out).</summary>
    public const string Annotation = "audit.approvals.admission.dev/record";

    public static JsonObject Build(CachedApproval a, DateTimeOffset recordedAt)
    {
        var m = a.Model!;
        var spec = a.Raw.GetProperty("spec");
        var status = a.Status;
        var reviews = new JsonArray();
        if (spec.TryGetProperty("approvals", out var entries) && entries.ValueKind == JsonValueKind.Array)
        {
            foreach (var e in entries.EnumerateArray())
            {
                reviews.Add(new JsonObject
                {
                    ["by"] = Str(e, "approver"),
                    ["decision"] = Str(e, "decision") ?? "Approve",
                    ["at"] = Str(e, "approvedAt"),
                    ["comment"] = Str(e, "comment"),
                });
            }
        }
        var change = spec.TryGetProperty("change", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        return new JsonObject
        {
            ["kind"] = "ChangeApplied",
            ["changeApproval"] = new JsonObject { ["namespace"] = a.Namespace, ["name"] = a.Name, ["uid"] = a.Uid },
            ["target"] = new JsonObject { ["apiGroup"] = m.Target.ApiGroup, ["kind"] = m.Target.Kind, ["namespace"] = a.Namespace, ["name"] = m.Target.Name },
            ["requestedBy"] = m.RequestedBy,
            ["reason"] = m.Reason,
            ["ticket"] = m.Ticket,
            ["reviews"] = reviews,
            ["approvedBy"] = new JsonArray([.. m.CountedApprovers().Select(x => (JsonNode)JsonValue.Create(x))]),
            ["change"] = change.ValueKind == JsonValueKind.Object ? new JsonObject { ["digest"] = Str(change, "digest"), ["base"] = Str(change, "base") } : null,
            ["images"] = new JsonArray([.. m.Images.Select(i => (JsonNode)JsonValue.Create(i))]),
            ["appliedAt"] = AppliedAt(status) ?? WrittenStatus.Time(recordedAt),
            ["admissionUid"] = status is { } s ? Str(s, "admissionUid") : null,
            ["recordedAt"] = WrittenStatus.Time(recordedAt),
        };
    }

    /// <summary>status.appliedAt, else when the Applied condition turned True; null when neither says.</summary>
    private static string? AppliedAt(JsonElement? status)
    {
        if (status is not { } s) return null;
        if (Str(s, "appliedAt") is { } at) return at;
        if (s.TryGetProperty("conditions", out var cs) && cs.ValueKind == JsonValueKind.Array)
        {
            foreach (var condition in cs.EnumerateArray())
            {
                if (Str(condition, "type") == "Applied" && Str(condition, "status") == "True") return Str(condition, "lastTransitionTime");
            }
        }
        return null;
    }

    public static bool Emitted(JsonElement raw) =>
        ObjectFields.TryGet(raw, out _, "metadata", "annotations", Annotation);

    private static string? Str(JsonElement o, string name) => ObjectFields.StringAt(o, name);
}
