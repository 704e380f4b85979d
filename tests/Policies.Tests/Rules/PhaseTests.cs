using Admission.Policies.Model;

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
