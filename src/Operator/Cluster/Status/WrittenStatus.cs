using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Admission.Kubernetes;
using Admission.Policies;

namespace Admission.Operator.Cluster;

/// <summary>The standard metav1.Condition of type <c>Approved</c>.</summary>
internal sealed record ApprovalCondition(string Status, string Reason, string Message, DateTimeOffset LastTransitionTime, long ObservedGeneration)
{
    public const string Type = "Approved";

    /// <summary>The type of the condition that turns True when the target is seen with the approved change.</summary>
    public const string AppliedType = "Applied";
}

/// <summary>
/// The status the operator writes on a ChangeApproval (contract section 1). It is a report for
/// people and tools; decisions never read it. (Named for what it is: the plugin's table cells of an
/// approval are <c>ApprovalCells</c>, and the engine's own reading of an approval is its phase.)
/// </summary>
internal sealed record WrittenStatus(string Phase, IReadOnlyList<string> ApprovedBy, ApprovalCondition Condition, long ObservedGeneration)
{
    public const string Pending = Policies.Model.ChangeApproval.PhasePending;
    public const string Approved = Policies.Model.ChangeApproval.PhaseApproved;
    public const string Expired = Policies.Model.ChangeApproval.PhaseExpired;
    public const string Rejected = Policies.Model.ChangeApproval.PhaseRejected;
    public const string Applied = Policies.Model.ChangeApproval.PhaseApplied;

    /// <summary>Reviewers whose entry is a Reject (contract section 1, status.rejectedBy).</summary>
    public IReadOnlyList<string> RejectedBy { get; init; } = [];

    /// <summary>When the target was first seen with the approved change digest (status.appliedAt); once set it stays.</summary>
    public DateTimeOffset? AppliedAt { get; init; }

    public bool Equals(WrittenStatus? other) =>
        other is not null && Phase == other.Phase && ApprovedBy.SequenceEqual(other.ApprovedBy, StringComparer.Ordinal) &&
        RejectedBy.SequenceEqual(other.RejectedBy, StringComparer.Ordinal) &&
        Condition == other.Condition && ObservedGeneration == other.ObservedGeneration && AppliedAt == other.AppliedAt;

    public override int GetHashCode() => HashCode.Combine(Phase, Condition, ObservedGeneration);

    public JsonObject ToJson()
    {
        var conditions = new JsonArray(new JsonObject
        {
            ["type"] = ApprovalCondition.Type,
            ["status"] = Condition.Status,
            ["observedGeneration"] = Condition.ObservedGeneration,
            ["lastTransitionTime"] = Time(Condition.LastTransitionTime),
            ["reason"] = Condition.Reason,
            ["message"] = Condition.Message,
        });
        var json = new JsonObject
        {
            ["phase"] = Phase,
            ["approvedBy"] = new JsonArray([.. ApprovedBy.Select(a => (JsonNode)JsonValue.Create(a))]),
            ["rejectedBy"] = new JsonArray([.. RejectedBy.Select(a => (JsonNode)JsonValue.Create(a))]),
        };
        if (AppliedAt is { } at)
        {
            // The CRD's appliedAt is a date-time, not nullable: absent until the change is seen.
            json["appliedAt"] = Time(at);
            conditions.Add(new JsonObject
            {
                ["type"] = ApprovalCondition.AppliedType,
                ["status"] = "True",
                ["observedGeneration"] = ObservedGeneration,
                ["lastTransitionTime"] = Time(at),
                ["reason"] = "Applied",
                ["message"] = "the target was seen with the approved change",
            });
        }
        json["conditions"] = conditions;
        json["observedGeneration"] = ObservedGeneration;
        return json;
    }

    public static string Time(DateTimeOffset t) => Policies.Model.ChangeApprovalReader.FormatTime(t);

    /// <summary>Reads a stored status; null when there is none or it is not one this operator wrote.</summary>
    public static WrittenStatus? Parse(JsonElement? status)
    {
        if (status is not { ValueKind: JsonValueKind.Object } s) return null;
        var phase = Str(s, "phase");
        if (phase is null) return null;
        var approvedBy = s.TryGetProperty("approvedBy", out var ab) && ab.ValueKind == JsonValueKind.Array
            ? ab.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];
        ApprovalCondition? condition = null;
        DateTimeOffset? appliedAt = Policies.Model.ChangeApprovalReader.TryParseTime(Str(s, "appliedAt"), out var at) ? at : null;
        if (s.TryGetProperty("conditions", out var cs) && cs.ValueKind == JsonValueKind.Array)
        {
            foreach (var c in cs.EnumerateArray())
            {
                if (c.ValueKind != JsonValueKind.Object) continue;
                // An Applied condition without appliedAt (written by an older operator or by hand) still marks it applied.
                if (Str(c, "type") == ApprovalCondition.AppliedType && Str(c, "status") == "True" && appliedAt is null)
                {
                    appliedAt = Policies.Model.ChangeApprovalReader.TryParseTime(Str(c, "lastTransitionTime"), out var t) ? t : DateTimeOffset.UnixEpoch;
                }
                if (Str(c, "type") != ApprovalCondition.Type) continue;
                _ = Policies.Model.ChangeApprovalReader.TryParseTime(Str(c, "lastTransitionTime"), out var ltt);
                condition = new ApprovalCondition(Str(c, "status") ?? "", Str(c, "reason") ?? "", Str(c, "message") ?? "", ltt, Long(c, "observedGeneration"));
            }
        }
        if (condition is null) return null;
        var rejectedBy = s.TryGetProperty("rejectedBy", out var rb) && rb.ValueKind == JsonValueKind.Array
            ? rb.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];
        return new WrittenStatus(phase, approvedBy, condition, Long(s, "observedGeneration")) { RejectedBy = rejectedBy, AppliedAt = appliedAt };
    }

    /// <summary>
    /// What the status should be at <paramref name="now"/>. The condition's lastTransitionTime
    /// moves only when its status flips; otherwise the current one is kept. <paramref name="seenApplied"/>
    /// is when the operator saw the target with the approved change, if it just did; an appliedAt
    /// already recorded stays, and makes the phase Applied whatever happens later.
    /// </summary>
    public static WrittenStatus Compute(CachedApproval approval, AdmissionPolicy policy, DateTimeOffset now, DateTimeOffset? seenApplied = null)
    {
        var generation = approval.Generation;
        var current = Parse(approval.Status);
        var appliedAt = current?.AppliedAt ?? (seenApplied is { } seen ? Truncate(seen) : null);
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
        if (appliedAt is not null && model is not null) phase = Applied;
        var transition = current?.Condition.Status == status ? current.Condition.LastTransitionTime : Truncate(now);
        return new WrittenStatus(phase, approvedBy, new ApprovalCondition(status, reason, message, transition, generation), generation)
        {
            RejectedBy = rejectedBy,
            AppliedAt = appliedAt,
        };
    }

    /// <summary>The next moment the phase can change by time alone: notBefore or expiresAt, whichever is next.</summary>
    public static DateTimeOffset? NextTransition(CachedApproval approval, DateTimeOffset now)
    {
        if (approval.Model is not { } model) return null;
        if (model.NotBefore is { } notBefore && notBefore > now) return notBefore;
        return model.ExpiresAt > now ? model.ExpiresAt : null;
    }

    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static string? Str(JsonElement o, string name) => ObjectFields.StringAt(o, name);

    private static long Long(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : 0;
}
