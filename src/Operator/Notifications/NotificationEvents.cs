using System.Text.Json;
using Admission.Kubernetes;
using Admission.Operator.Cluster;

namespace Admission.Operator.Notifications;

internal enum NotificationKind
{
    Created,
    Reviewed,
    Rejected,
    Applied,
    ExpiredUnused,
    BreakGlassUsed,
}

/// <summary>
/// Something that happened to a ChangeApproval that receivers hear about. <see cref="Id"/> is
/// stable (the same event read again, by this leader or the next, has the same id): it is what
/// the delivery record holds, and receivers can use it to drop a repeat.
/// </summary>
internal sealed record NotificationEvent(string Id, NotificationKind Kind, string? Reviewer = null, string? Comment = null, string? ReviewedAt = null);

/// <summary>Reads from a ChangeApproval as stored the events it has gone through, in order.</summary>
internal static class NotificationEvents
{
    public static string Wire(this NotificationKind kind) => kind switch
    {
        NotificationKind.Created => "created",
        NotificationKind.Reviewed => "reviewed",
        NotificationKind.Rejected => "rejected",
        NotificationKind.Applied => "applied",
        NotificationKind.ExpiredUnused => "expired-unused",
        _ => "break-glass-used",
    };

    /// <summary>
    /// The events this state shows: created (for a retrospective approval, the break glass that
    /// opened it), one per review entry, applied, and expired when it expired without being applied.
    /// <paramref name="seen"/> are ids already observed (an Applied phase seen once counts even
    /// if a later status no longer says so).
    /// </summary>
    public static IReadOnlyList<NotificationEvent> Of(JsonElement raw, IReadOnlyCollection<string> seen)
    {
        var events = new List<NotificationEvent>();
        events.Add(ApprovalCensus.IsRetrospective(raw)
            ? new NotificationEvent("break-glass-used", NotificationKind.BreakGlassUsed)
            : new NotificationEvent("created", NotificationKind.Created));
        if (raw.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object &&
            spec.TryGetProperty("approvals", out var approvals) && approvals.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in approvals.EnumerateArray())
            {
                if (Str(entry, "approver") is not { } approver) continue;
                var rejected = Str(entry, "decision") == "Reject";
                var kind = rejected ? NotificationKind.Rejected : NotificationKind.Reviewed;
                events.Add(new NotificationEvent($"{kind.Wire()}:{approver}", kind, approver, Str(entry, "comment"), Str(entry, "approvedAt")));
            }
        }
        var status = raw.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
        var phase = status.ValueKind == JsonValueKind.Object ? Str(status, "phase") : null;
        var applied = phase == "Applied" || Str(status, "appliedAt") is not null || AppliedCondition(status) || seen.Contains("applied");
        if (applied) events.Add(new NotificationEvent("applied", NotificationKind.Applied));
        else if (phase == "Expired") events.Add(new NotificationEvent("expired-unused", NotificationKind.ExpiredUnused));
        return events;
    }

    /// <summary>The contract's <c>Applied</c> condition (section 1), set when the target is first seen with the approved change.</summary>
    private static bool AppliedCondition(JsonElement status) =>
        status.ValueKind == JsonValueKind.Object && status.TryGetProperty("conditions", out var cs) && cs.ValueKind == JsonValueKind.Array &&
        cs.EnumerateArray().Any(c => Str(c, "type") == "Applied" && Str(c, "status") == "True");

    private static string? Str(JsonElement o, string name) => ObjectFields.StringAt(o, name);
}
