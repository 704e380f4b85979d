namespace Admission.Policies.Model;

/// <summary>The spec of a ChangeApproval as read from the API (contract section 1).</summary>
public sealed record ChangeApproval
{
    public const string Group = "approvals.admission.dev";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;
    public const string KindName = "ChangeApproval";
    public const string Plural = "changeapprovals";

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

    public string Key => Namespace + "/" + Name;

    /// <summary>
    /// Approvers that count, one per person (<see cref="PersonNames"/>): the requester's own entries
    /// never do, and <c>Alice</c> after <c>alice</c> is the same approver, counted once.
    /// </summary>
    public IReadOnlyList<string> CountedApprovers()
    {
        var seen = new List<string>(Approvals.Count);
        var persons = new List<string>(Approvals.Count);
        var requester = PersonNames.Key(RequestedBy);
        foreach (var entry in Approvals)
        {
            if (entry.Approver.Length == 0) continue;
            var person = PersonNames.Key(entry.Approver);
            if (person.Length == 0 || person == requester) continue;
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

    public bool IsValid(DateTimeOffset now, int requiredApprovals) =>
        InWindow(now) && CountedApprovers().Count >= requiredApprovals;

    public const string PhasePending = "Pending";
    public const string PhaseApproved = "Approved";
    public const string PhaseExpired = "Expired";

    /// <summary>The status.phase this approval has at <paramref name="now"/> (contract section 1).</summary>
    public string PhaseAt(DateTimeOffset now, int requiredApprovals) =>
        IsValid(now, requiredApprovals) ? PhaseApproved : now >= ExpiresAt ? PhaseExpired : PhasePending;
}

public sealed record ApprovalTarget(string ApiGroup, string Kind, string Name);

public sealed record ApprovalEntry(string Approver, DateTimeOffset? ApprovedAt, string? Comment);
