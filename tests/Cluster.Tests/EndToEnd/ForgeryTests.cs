namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>
/// Approvals cannot be forged: every attempt is refused by the API server, on the webhook's word or,
/// for what the old and new objects alone reveal, by the CRD's CEL rules before any webhook is
/// called (a 422 Invalid, as a cluster sends it).
/// </summary>
public sealed class ForgeryTests : ClusterTest
{
    private const string Name = "checkout-2-4-1";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await _cluster.StartAdmissionAsync();
        Assert.True((await _cluster.CreateApprovalAsync("carol", Name)).Ok);
        Assert.True((await _cluster.ApproveAsync("alice", Name)).Ok);
    }

    [Fact]
    public async Task Every_forgery_is_refused_and_nothing_changes()
    {
        var before = _cluster.Approval(Name)!["spec"]!.ToJsonString();

        // Under the chart's RBAC a requester may not patch ChangeApprovals at all: a cluster refuses
        // carol's edits before any webhook (or CEL rule) sees them.
        var carolAsAlice = await _cluster.ApproveAsync("carol", Name, approver: "bob");
        AssertForbiddenByRbac(carolAsAlice, "carol adding an entry in bob's name");

        var aliceEditsTarget = await _cluster.PatchApprovalAsync("alice", Name, """[{"op":"replace","path":"/spec/target/name","value":"billing"}]""");
        AssertInvalid(aliceEditsTarget, "alice editing the target after approving", "spec.target", "spec.target is immutable; create a new ChangeApproval");

        var bobRemovesAlice = await _cluster.PatchApprovalAsync("bob", Name, """[{"op":"remove","path":"/spec/approvals/0"}]""");
        AssertDenied(bobRemovesAlice, "bob removing alice's entry");

        var carolApprovesOwn = await _cluster.ApproveAsync("carol", Name);
        AssertForbiddenByRbac(carolApprovesOwn, "carol approving her own request");

        var carolRequestsForAlice = await Try(() => _cluster.Client("carol").CustomObjects.CreateNamespacedCustomObjectAsync(
            ClusterHarness.ApprovalObject("in-alices-name", "alice", DateTimeOffset.UtcNow.AddHours(1)),
            Policies.Model.ChangeApproval.Group, Policies.Model.ChangeApproval.Version, ClusterHarness.Ns, Policies.Model.ChangeApproval.Plural));
        AssertDenied(carolRequestsForAlice, "carol creating a request in alice's name");

        var preApproved = await Try(() => _cluster.Client("carol").CustomObjects.CreateNamespacedCustomObjectAsync(
            ClusterHarness.ApprovalObject("pre-approved", "carol", DateTimeOffset.UtcNow.AddHours(1), approvers: ["alice", "bob"]),
            Policies.Model.ChangeApproval.Group, Policies.Model.ChangeApproval.Version, ClusterHarness.Ns, Policies.Model.ChangeApproval.Plural));
        AssertInvalid(preApproved, "carol creating a request that is already approved", "spec.approvals",
            "spec.approvals must be empty when a ChangeApproval is created; approvers add their entries afterwards");

        Assert.Equal(before, _cluster.Approval(Name)!["spec"]!.ToJsonString());
        var change = await _cluster.ChangeDeploymentAsync("carol");
        Assert.False(change.Ok);
        Assert.Contains("1 of 2", change.Message, StringComparison.Ordinal);

        // alice may withdraw her own entry.
        var aliceWithdraws = await _cluster.PatchApprovalAsync("alice", Name, """[{"op":"remove","path":"/spec/approvals/0"}]""");
        Assert.True(aliceWithdraws.Ok, aliceWithdraws.ToString());
    }

    private static Task<Outcome> Try(Func<Task> call) => ClusterHarness.Try(call);

    private static void AssertForbiddenByRbac(Outcome outcome, string what)
    {
        Assert.False(outcome.Ok, what + " was allowed");
        Assert.Equal(403, outcome.Code);
        Assert.Equal($"changeapprovals.approvals.admission.dev \"{Name}\" is forbidden: User \"carol\" cannot patch resource \"changeapprovals\" in API group \"approvals.admission.dev\" in the namespace \"payments\"",
            outcome.Message);
    }

    private static void AssertDenied(Outcome outcome, string what)
    {
        Assert.False(outcome.Ok, what + " was allowed");
        Assert.Equal(403, outcome.Code);
        Assert.Contains("denied the request", outcome.Message, StringComparison.Ordinal);
    }

    private static void AssertInvalid(Outcome outcome, string what, string field, string message)
    {
        Assert.False(outcome.Ok, what + " was allowed");
        Assert.Equal(422, outcome.Code);
        Assert.Contains($"{field}: Invalid value: ", outcome.Message, StringComparison.Ordinal);
        Assert.Contains(message, outcome.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("denied the request", outcome.Message, StringComparison.Ordinal);
    }
}
