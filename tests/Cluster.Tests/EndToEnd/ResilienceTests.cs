namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>The cache against an API server that cuts watches, forgets history, is down at start or goes away.</summary>
public sealed class ResilienceTests : ClusterTest
{
    private Task<Outcome> DeleteApprovalAsync(string name) => ClusterHarness.Try(() =>
        _cluster.Client("admin").CustomObjects.DeleteNamespacedCustomObjectAsync(ChangeApproval.Group, ChangeApproval.Version, ClusterHarness.Ns, ChangeApproval.Plural, name));

    [Fact]
    public async Task The_cache_recovers_from_a_cut_watch_and_an_expired_resourceVersion()
    {
        var admission = await _cluster.StartAdmissionAsync();
        await ApprovedAsync("old");
        await Wait.ForAsync(() => admission.MetricAsync("admission_approvals_cached"), v => v == 1, TimeSpan.FromSeconds(5), "old cached");
        Assert.True((await _cluster.ChangeDeploymentAsync()).Ok);

        // The watches go silent; meanwhile "old" is deleted and "fresh" approved; then history is compacted.
        _cluster.Api.StallWatches = true;
        Assert.True((await DeleteApprovalAsync("old")).Ok);
        await ApprovedAsync("fresh");
        _cluster.Api.ExpireResourceVersions();
        _cluster.Api.StallWatches = false;

        // A relist: "old" may still be listed while its audit finalizer holds its deletion (it is
        // deleting, so the index leaves it out), hence the count of approvals synced, not listed.
        await Wait.UntilAsync(() => admission.Count("ChangeApprovals: listed") >= 2, TimeSpan.FromSeconds(10), () => _cluster.Logs);
        await Wait.ForAsync(() => admission.ReadyzAsync(), body => body.Contains("synced: 1 ChangeApprovals", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the cache holds only fresh");

        // Admitted by the approval that exists now; the one live read is the confirmation made
        // before every admission on an approval, not a rescue of a stale cache.
        var liveReads = await admission.MetricAsync("admission_live_reads_total{outcome=\"ok\"}");
        var change = await _cluster.ChangeDeploymentAsync();
        Assert.True(change.Ok, change.ToString());
        await admission.WaitForOutputAsync("approval=payments/fresh", TimeSpan.FromSeconds(5));
        Assert.Equal(liveReads + 1, await admission.MetricAsync("admission_live_reads_total{outcome=\"ok\"}"));

        // And once it is gone too, the change is refused.
        Assert.True((await DeleteApprovalAsync("fresh")).Ok);
        await Wait.ForAsync(() => admission.MetricAsync("admission_approvals_cached"), v => v == 0, TimeSpan.FromSeconds(5), "the deletion followed");
        var denied = await _cluster.ChangeDeploymentAsync();
        Assert.False(denied.Ok);
        Assert.Contains("Tier-1", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_watch_that_stalls_without_closing_is_detected_and_replaced()
    {
        var admission = await _cluster.StartAdmissionAsync(environment: new Dictionary<string, string> { ["ADMISSION_WATCH_IDLE_TIMEOUT"] = "2s" });
        _cluster.Api.StallWatches = true;
        await ApprovedAsync("during-the-stall");
        await admission.WaitForOutputAsync("presumed stalled", TimeSpan.FromSeconds(10));
        _cluster.Api.StallWatches = false;
        await Wait.ForAsync(() => admission.MetricAsync("admission_approvals_cached"), v => v == 1, TimeSpan.FromSeconds(10), "the approval made during the stall cached");
        Assert.True((await admission.GetAsync("/readyz")).Status == 200);
    }

    [Fact]
    public async Task Down_at_start_is_not_ready_and_denies_with_a_clear_message()
    {
        await _cluster.Api.StopAsync();
        var admission = await _cluster.StartAdmissionAsync(waitReady: false);
        await Wait.ForAsync(() => admission.GetAsync("/readyz"), r => r.Status == 503 && r.Body.Contains("list failed", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "not ready, saying the list failed");
        var (status, body) = await admission.GetAsync("/readyz");
        Assert.Equal(503, status);
        Assert.Contains("not synced with the API server yet", body, StringComparison.Ordinal);

        var (allowed, message) = await Reviews.DecideAsync(admission, Reviews.DeploymentImageUpdate("carol"));
        Assert.False(allowed);
        Assert.Contains("approvals cannot be verified right now", message, StringComparison.Ordinal);
        Assert.Contains("payments/checkout", message, StringComparison.Ordinal);

        // The API server comes up: the webhook syncs and becomes ready without a restart.
        await _cluster.Api.StartAsync();
        await admission.WaitReadyAsync(true, TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Down_after_sync_decides_from_the_cache_within_the_staleness_bound_then_not_ready()
    {
        var admission = await _cluster.StartAdmissionAsync(extraArgs: ["--max-cache-staleness", "6s"]);
        await ApprovedAsync("checkout-2-4-1");
        await Wait.ForAsync(() => admission.MetricAsync("admission_approvals_cached"), v => v == 1, TimeSpan.FromSeconds(5), "cached");

        await _cluster.Api.StopAsync();
        var stopped = DateTime.UtcNow;

        var (allowed, message) = await Reviews.DecideAsync(admission, Reviews.DeploymentImageUpdate("carol"));
        Assert.True(allowed, message);
        var (otherAllowed, otherMessage) = await Reviews.DecideAsync(admission, Reviews.DeploymentImageUpdate("carol", deployment: "billing"));
        Assert.False(otherAllowed);
        Assert.DoesNotContain("cannot be verified", otherMessage, StringComparison.Ordinal); // a normal denial, from the cache
        Assert.Contains("Tier-1", otherMessage, StringComparison.Ordinal);
        Assert.Equal(200, (await admission.GetAsync("/readyz")).Status);

        await admission.WaitReadyAsync(false, TimeSpan.FromSeconds(15));
        Assert.True(DateTime.UtcNow - stopped >= TimeSpan.FromSeconds(5), "not ready before the bound");
        Assert.Contains("out of touch with the API server", await admission.ReadyzAsync(), StringComparison.Ordinal);

        // Beyond the bound the cache no longer backs an admission.
        var (lateAllowed, lateMessage) = await Reviews.DecideAsync(admission, Reviews.DeploymentImageUpdate("carol"));
        Assert.False(lateAllowed);
        Assert.Contains("approvals cannot be verified right now", lateMessage, StringComparison.Ordinal);
    }
}
