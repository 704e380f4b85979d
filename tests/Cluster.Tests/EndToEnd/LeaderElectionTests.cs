namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>Two replicas: both serve the webhook, exactly one (the Lease holder) writes status.</summary>
public sealed class LeaderElectionTests : ClusterTest
{
    [Fact]
    public async Task Exactly_one_writes_status_and_the_other_takes_over_when_it_stops()
    {
        var a = await _cluster.StartAdmissionAsync("admission-a");
        var b = await _cluster.StartAdmissionAsync("admission-b");
        await Wait.UntilAsync(() => a.Count("now leads") + b.Count("now leads") == 1, TimeSpan.FromSeconds(15), () => _cluster.Logs);
        var (leader, follower) = a.Count("now leads") == 1 ? (a, b) : (b, a);

        await ApprovedAsync("first");
        await Wait.UntilAsync(() => _cluster.Phase("first") == "Approved", TimeSpan.FromSeconds(5), () => _cluster.Logs);
        await Admission.Tests.Shared.Polling.ConsistentlyAsync(
            () => _cluster.StatusWriters("first").Distinct().SequenceEqual([ClusterHarness.UserOf(leader.Name)]) && follower.Count("status written") == 0,
            TimeSpan.FromSeconds(1), "only the leader writes status", () => _cluster.Logs);

        // Both serve the webhook.
        var (allowed, message) = await Reviews.DecideAsync(follower, Reviews.DeploymentImageUpdate("carol"));
        Assert.True(allowed, message + "\n" + _cluster.Logs);

        // The leader stops; the other takes over within the lease duration (4 s in these tests).
        await leader.StopAsync();
        var stopped = DateTime.UtcNow;
        await follower.WaitForOutputAsync("now leads", TimeSpan.FromSeconds(4));
        var takeover = DateTime.UtcNow - stopped;
        Assert.True(takeover < TimeSpan.FromSeconds(4), $"took over after {takeover}");

        // The API server now calls the replica still running (both share one CA).
        _cluster.RegisterWebhook(follower.Port, await follower.CaPemAsync());
        Assert.True((await _cluster.CreateApprovalAsync("carol", "second")).Ok);
        await Wait.UntilAsync(() => _cluster.Phase("second") == "Pending", TimeSpan.FromSeconds(5), () => _cluster.Logs);
        Assert.Equal([ClusterHarness.UserOf(follower.Name)], _cluster.StatusWriters("second").Distinct());
    }
}
