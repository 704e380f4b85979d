namespace Admission.Policies.Tests.Rules;

/// <summary>Contract section 1: status.phase is Pending, Approved or Expired, judged at a given time.</summary>
public class PhaseTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 6, 12, 0, 0, TimeSpan.Zero);

    private static ChangeApproval A(params string[] approvers) => new()
    {
        Namespace = "payments", Name = "c", Target = new ApprovalTarget("apps", "Deployment", "checkout"),
        Operations = [Operation.Update], Reason = "r", RequestedBy = "carol",
        NotBefore = T0.AddHours(-1), ExpiresAt = T0.AddHours(1),
        Approvals = [.. approvers.Select(a => new ApprovalEntry(a, T0, null))],
    };

    [Theory]
    [InlineData("two approvers inside the window", new[] { "alice", "bob" }, 0, "Approved")]
    [InlineData("one approver", new[] { "alice" }, 0, "Pending")]
    [InlineData("the requester's own entry does not count", new[] { "alice", "carol" }, 0, "Pending")]
    [InlineData("two approvers before notBefore", new[] { "alice", "bob" }, -90, "Pending")]
    [InlineData("two approvers exactly at expiresAt", new[] { "alice", "bob" }, 60, "Expired")]
    [InlineData("one approver after expiresAt", new[] { "alice" }, 61, "Expired")]
    public void Phase_at_a_time(string name, string[] approvers, int minutesFromT0, string phase) =>
        Assert.True(A(approvers).PhaseAt(T0.AddMinutes(minutesFromT0), 2) == phase, name);
}

/// <summary>Contract section 1, version 2: Rejected and Applied.</summary>
public class RejectAndAppliedPhaseTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 6, 12, 0, 0, TimeSpan.Zero);

    private static ChangeApproval A(params (string Who, EntryDecision Decision)[] entries) => new()
    {
        Namespace = "payments", Name = "c", Target = new ApprovalTarget("apps", "Deployment", "checkout"),
        Operations = [Operation.Update], Reason = "r", RequestedBy = "carol",
        NotBefore = T0.AddHours(-1), ExpiresAt = T0.AddHours(1),
        Approvals = [.. entries.Select(e => new ApprovalEntry(e.Who, T0, null, e.Decision))],
    };

    private const EntryDecision Approve = EntryDecision.Approve;
    private const EntryDecision Reject = EntryDecision.Reject;

    public static TheoryData<string, ChangeApproval, int, bool, string> Cases => new()
    {
        { "two approvals and a Reject: Rejected", A(("alice", Approve), ("bob", Approve), ("dave", Reject)), 0, false, "Rejected" },
        { "a Reject alone: Rejected", A(("dave", Reject)), 0, false, "Rejected" },
        { "the Reject withdrawn: Approved", A(("alice", Approve), ("bob", Approve)), 0, false, "Approved" },
        { "a Reject after expiry: Expired", A(("dave", Reject)), 61, false, "Expired" },
        { "applied: Applied", A(("alice", Approve), ("bob", Approve)), 0, true, "Applied" },
        { "applied, after expiry: still Applied", A(("alice", Approve), ("bob", Approve)), 120, true, "Applied" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Phase(string name, ChangeApproval approval, int minutes, bool applied, string phase) =>
        Assert.True(approval.PhaseAt(T0.AddMinutes(minutes), 2, applied) == phase, name);

    [Fact]
    public void Valid_needs_no_Reject_entry()
    {
        Assert.True(A(("alice", Approve), ("bob", Approve)).IsValid(T0, 2));
        Assert.False(A(("alice", Approve), ("bob", Approve), ("dave", Reject)).IsValid(T0, 2));
        Assert.Equal(["dave"], A(("alice", Approve), ("dave", Reject)).Rejecters());
        Assert.Equal(["alice"], A(("alice", Approve), ("dave", Reject)).CountedApprovers());
    }
}
