using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Admission.Policies;

namespace Admission.Operator.Cluster;

/// <summary>The standard metav1.Condition of type <c>Approved</c>.</summary>
internal sealed record ApprovalCondition(string Status, string Reason, string Message, DateTimeOffset LastTransitionTime, long ObservedGeneration)
{
    public const string Type = "Approved";
}

/// <summary>
/// The status the operator writes on a ChangeApproval (contract section 1). It is a report for
/// people and tools; decisions never read it.
/// </summary>
internal sealed record ApprovalStatus(string Phase, IReadOnlyList<string> ApprovedBy, ApprovalCondition Condition, long ObservedGeneration)
{
    public const string Pending = Policies.Model.ChangeApproval.PhasePending;
    public const string Approved = Policies.Model.ChangeApproval.PhaseApproved;
    public const string Expired = Policies.Model.ChangeApproval.PhaseExpired;
    public const string Rejected = Policies.Model.ChangeApproval.PhaseRejected;

    /// <summary>Reviewers whose entry is a Reject (contract section 1, status.rejectedBy).</summary>
    public IReadOnlyList<string> RejectedBy { get; init; } = [];

    public bool Equals(ApprovalStatus? other) =>
        other is not null && Phase == other.Phase && ApprovedBy.SequenceEqual(other.ApprovedBy, StringComparer.Ordinal) &&
        RejectedBy.SequenceEqual(other.RejectedBy, StringComparer.Ordinal) &&
        Condition == other.Condition && ObservedGeneration == other.ObservedGeneration;

    public override int GetHashCode() => HashCode.Combine(Phase, Condition, ObservedGeneration);

    public JsonObject ToJson() => new()
    {
        ["phase"] = Phase,
        ["approvedBy"] = new JsonArray([.. ApprovedBy.Select(a => (JsonNode)JsonValue.Create(a))]),
        ["rejectedBy"] = new JsonArray([.. RejectedBy.Select(a => (JsonNode)JsonValue.Create(a))]),
        ["conditions"] = new JsonArray(new JsonObject
        {
            ["type"] = ApprovalCondition.Type,
            ["status"] = Condition.Status,
            ["observedGeneration"] = Condition.ObservedGeneration,
            ["lastTransitionTime"] = Time(Condition.LastTransitionTime),
            ["reason"] = Condition.Reason,
            ["message"] = Condition.Message,
        }),
        ["observedGeneration"] = ObservedGeneration,
    };

    public static string Time(DateTimeOffset t) => Policies.Model.ChangeApprovalReader.FormatTime(t);

    /// <summary>Reads a stored status; null when there is none or it is not one this operator wrote.</summary>
    public static ApprovalStatus? Parse(JsonElement? status)
    {
        if (status is not { ValueKind: JsonValueKind.Object } s) return null;
        var phase = Str(s, "phase");
        if (phase is null) return null;
        var approvedBy = s.TryGetProperty("approvedBy", out var ab) && ab.ValueKind == JsonValueKind.Array
            ? ab.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];
        ApprovalCondition? condition = null;
        if (s.TryGetProperty("conditions", out var cs) && cs.ValueKind == JsonValueKind.Array)
        {
            foreach (var c in cs.EnumerateArray())
            {
                if (c.ValueKind != JsonValueKind.Object || Str(c, "type") != ApprovalCondition.Type) continue;
                _ = Policies.Model.ChangeApprovalReader.TryParseTime(Str(c, "lastTransitionTime"), out var ltt);
                condition = new ApprovalCondition(Str(c, "status") ?? "", Str(c, "reason") ?? "", Str(c, "message") ?? "", ltt, Long(c, "observedGeneration"));
            }
        }
        if (condition is null) return null;
        var rejectedBy = s.TryGetProperty("rejectedBy", out var rb) && rb.ValueKind == JsonValueKind.Array
            ? rb.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];
        return new ApprovalStatus(phase, approvedBy, condition, Long(s, "observedGeneration")) { RejectedBy = rejectedBy };
    }

    /// <summary>
    /// What the status should be at <paramref name="now"/>. The condition's lastTransitionTime
    /// moves only when its status flips; otherwise the current one is kept.
    /// </summary>
    public static ApprovalStatus Compute(CachedApproval approval, AdmissionPolicy policy, DateTimeOffset now)
    {
        var generation = approval.Generation;
        var current = Parse(approval.Status);
        string phase, status, reason, message;
        IReadOnlyList<string> approvedBy = [];
        IReadOnlyList<string> rejectedBy = [];
        var model = approval.Model;
        var required = policy.RequiredApprovals;
        if (model is null)
        {
            (phase, status, reason, message) = (Pending, "False", "Invalid", "the ChangeApproval cannot be read, so it approves nothing: " + approval.Problem);
        }
        else
        {
            approvedBy = model.CountedApprovers();
            var counted = $"{approvedBy.Count} of {required} approvals" + (approvedBy.Count == 0 ? "" : " (" + string.Join(", ", approvedBy) + ")");
            // A break-glass review admits nothing: it stays Pending until reviewed, never Expired,
            // so the debt is neither hidden by time nor closed by it.
            if (now >= model.ExpiresAt && !model.Retrospective)
            {
                (phase, status, reason, message) = (Expired, "False", "Expired", $"expired at {Time(model.ExpiresAt)}; {counted}");
            }
            else if (model.IsRejected)
            {
                rejectedBy = model.Rejecters();
                var said = string.Join("; ", model.Approvals.Where(e => e.Decision == Policies.Model.EntryDecision.Reject)
                    .Select(e => string.IsNullOrWhiteSpace(e.Comment) ? e.Approver : $"{e.Approver}: \"{e.Comment}\""));
                (phase, status, reason, message) = (Rejected, "False", "Rejected", $"rejected by {said}; {counted}");
            }
            else if (model.NotBefore is { } notBefore && now < notBefore)
            {
                (phase, status, reason, message) = (Pending, "False", "NotYetValid", $"not valid before {Time(notBefore)}; {counted}");
            }
            else if (model.Retrospective && approvedBy.Count >= required)
            {
                (phase, status, reason, message) = (Approved, "True", "Approved", $"{counted}; the break-glass change is reviewed (this ChangeApproval admits nothing)");
            }
            else if (model.IsValid(now, required))
            {
                (phase, status, reason, message) = (Approved, "True", "Approved", $"{counted}; valid until {Time(model.ExpiresAt)}");
            }
            else
            {
                var missing = required - approvedBy.Count;
                (phase, status, reason, message) = (Pending, "False", "AwaitingApprovals", $"{counted}; needs {missing} more from approvers other than {model.RequestedBy}");
            }
        }
        var transition = current?.Condition.Status == status ? current.Condition.LastTransitionTime : Truncate(now);
        return new ApprovalStatus(phase, approvedBy, new ApprovalCondition(status, reason, message, transition, generation), generation) { RejectedBy = rejectedBy };
    }

    /// <summary>The next moment the phase can change by time alone: notBefore or expiresAt, whichever is next.</summary>
    public static DateTimeOffset? NextTransition(CachedApproval approval, DateTimeOffset now)
    {
        if (approval.Model is not { } model) return null;
        if (model.NotBefore is { } notBefore && notBefore > now) return notBefore;
        return model.ExpiresAt > now ? model.ExpiresAt : null;
    }

    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static string? Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long Long(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : 0;
}
