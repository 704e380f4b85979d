namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>The story of issue 4: a change is denied until two people other than its requester approve it.</summary>
public sealed class ApprovalFlowTests : ClusterTest
{
    [Fact]
    public async Task Carol_needs_alice_and_bob()
    {
        var admission = await _cluster.StartAdmissionAsync();

        var created = await _cluster.CreateApprovalAsync("carol", "checkout-2-4-1");
        Assert.True(created.Ok, created.ToString());
        await Wait.UntilAsync(() => _cluster.Phase("checkout-2-4-1") == "Pending", TimeSpan.FromSeconds(5), () => _cluster.Logs);

        var denied = await _cluster.ChangeDeploymentAsync("carol");
        Assert.False(denied.Ok);
        Assert.Equal(403, denied.Code);
        Assert.Contains("0 of 2", denied.Message, StringComparison.Ordinal);

        Assert.True((await _cluster.ApproveAsync("alice", "checkout-2-4-1")).Ok);
        var stillDenied = await _cluster.ChangeDeploymentAsync("carol");
        Assert.False(stillDenied.Ok);
        Assert.Contains("1 of 2", stillDenied.Message, StringComparison.Ordinal);

        Assert.True((await _cluster.ApproveAsync("bob", "checkout-2-4-1")).Ok);
        var admitted = await _cluster.ChangeDeploymentAsync("carol");
        Assert.True(admitted.Ok, admitted + "\n" + admission.Log);

        await Wait.UntilAsync(() => _cluster.Phase("checkout-2-4-1") == "Approved", TimeSpan.FromSeconds(5), () => _cluster.Logs);
        var status = _cluster.Approval("checkout-2-4-1")!["status"]!;
        Assert.Equal("[\"alice\",\"bob\"]", status["approvedBy"]!.ToJsonString());
        var condition = status["conditions"]![0]!;
        Assert.Equal(("Approved", "True", "Approved"), (condition["type"]!.ToString(), condition["status"]!.ToString(), condition["reason"]!.ToString()));
        await Wait.UntilAsync(() => _cluster.EventsFor("checkout-2-4-1").Any(e => e["reason"]?.ToString() == "Approved"), TimeSpan.FromSeconds(5), () => _cluster.Logs);
        Assert.Equal([ClusterHarness.UserOf("admission-a")], _cluster.StatusWriters("checkout-2-4-1").Distinct());
        // Under the chart's RBAC the webhook never needs a permission it lacks (a refused watch, say,
        // would only show as relists): not one of its requests was forbidden.
        Assert.Empty(_cluster.RefusedRequestsOfTheWebhook());
    }
}
