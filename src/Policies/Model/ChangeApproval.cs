namespace Admission.Policies.Model;

/// <summary>The spec of a ChangeApproval as read from the API (contract section 1).</summary>
public sealed record ChangeApproval
{
    public const string Group = "approvals.admission.dev";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;
    public const string KindName = "ChangeApproval";
    public const string Plural = "changeapprovals";

    /// <summary>
    /// The label of a retrospective ChangeApproval: the after-the-fact review of a break-glass
    /// change, opened by the operator. It records a debt; it never admits anything.
    /// </summary>
    public const string RetrospectiveLabel = "approvals.admission.dev/retrospective";

    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public required ApprovalTarget Target { get; init; }
    public required IReadOnlyList<Operation> Operations { get; init; }
    public IReadOnlyList<string> Images { get; init; } = [];
    public required string Reason { get; init; }
    public string? Ticket { get; init; }
    public required string RequestedBy { get; init; }
    public DateTimeOffset? NotBefore { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public IReadOnlyList<ApprovalEntry> Approvals { get; init; } = [];
    /// <summary>The exact change approved (contract section 2.5), or null for an approval that binds none.</summary>
    public ApprovedChange? Change { get; init; }

    /// <summary>Labelled <see cref="RetrospectiveLabel"/> <c>"true"</c>: reviewed like any other, used by no decision.</summary>
    public bool Retrospective { get; init; }

    /// <summary>
    /// Deleted, and held only by finalizers (metadata.deletionTimestamp set): whoever deleted it
    /// withdrew it, so it admits nothing more, though it stays readable until its finalizers go.
    /// </summary>
    public bool Deleting { get; init; }

    public string Key => Namespace + "/" + Name;

    /// <summary>
    /// Approvers that count, one per person (<see cref="PersonNames"/>): only Approve entries, the
    /// requester's own never do, and <c>Alice</c> after <c>alice</c> is the same approver, counted once.
    /// </summary>
    public IReadOnlyList<string> CountedApprovers() => Distinct(EntryDecision.Approve, skipRequester: true);

    /// <summary>Distinct reviewers with a Reject entry; any one of them blocks the approval (contract section 1).</summary>
    public IReadOnlyList<string> Rejecters() => Distinct(EntryDecision.Reject, skipRequester: false);

    private List<string> Distinct(EntryDecision decision, bool skipRequester)
    {
        var seen = new List<string>(Approvals.Count);
        var persons = new List<string>(Approvals.Count);
        var requester = PersonNames.Key(RequestedBy);
        foreach (var entry in Approvals)
        {
            if (entry.Decision != decision || entry.Approver.Length == 0) continue;
            var person = PersonNames.Key(entry.Approver);
            if (person.Length == 0 || (skipRequester && person == requester)) continue;
            var at = persons.IndexOf(person);
            if (at < 0)
            {
                persons.Add(person);
                seen.Add(entry.Approver);
            }
            else if (string.CompareOrdinal(entry.Approver, seen[at]) < 0)
            {
                // One spelling per person, the same whatever order the entries are stored in.
                seen[at] = entry.Approver;
            }
        }
        return seen;
    }

    public bool InWindow(DateTimeOffset now) => (NotBefore is null || NotBefore <= now) && now < ExpiresAt;

    public bool IsRejected
    {
        get
        {
            foreach (var entry in Approvals)
            {
                if (entry.Decision == EntryDecision.Reject) return true;
            }
            return false;
        }
    }

    /// <summary>Valid (contract section 1): in its window, no Reject entry, enough distinct approvers.</summary>
    public bool IsValid(DateTimeOffset now, int requiredApprovals) =>
        InWindow(now) && !IsRejected && CountedApprovers().Count >= requiredApprovals;

    public const string PhasePending = "Pending";
    public const string PhaseApproved = "Approved";
    public const string PhaseRejected = "Rejected";
    public const string PhaseApplied = "Applied";
    public const string PhaseExpired = "Expired";

    /// <summary>
    /// The status.phase this approval has at <paramref name="now"/> (contract section 1).
    /// <paramref name="applied"/>: the operator has seen the target with the approved change;
    /// that stays true once set, so Applied outlives the window.
    /// </summary>
    public string PhaseAt(DateTimeOffset now, int requiredApprovals, bool applied = false) =>
        applied ? PhaseApplied
        : now >= ExpiresAt ? PhaseExpired
        : IsRejected ? PhaseRejected
        : IsValid(now, requiredApprovals) ? PhaseApproved
        : PhasePending;
}

public sealed record ApprovalTarget(string ApiGroup, string Kind, string Name);

public enum EntryDecision
{
    Approve,
    Reject,
}

public sealed record ApprovalEntry(string Approver, DateTimeOffset? ApprovedAt, string? Comment, EntryDecision Decision = EntryDecision.Approve);

/// <summary>
/// <c>spec.change</c>: the change digest of the object the change leaves behind (for DELETE, of
/// the object deleted), the digest of the live object it applies to (UPDATE), and the manifest
/// as the requester will apply it, for reviewers to read.
/// </summary>
public sealed record ApprovedChange(string Digest, string? Base, System.Text.Json.JsonElement? Manifest);
