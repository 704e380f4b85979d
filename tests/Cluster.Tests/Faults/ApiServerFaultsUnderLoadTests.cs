namespace Admission.Cluster.Tests.Faults;

/// <summary>
/// Faults of the API server while reviews keep arriving: every review is answered 200 with a
/// decision, the cache decides within its staleness bound, past it the webhook fails closed with
/// a clear message, and it recovers without a restart.
/// </summary>
public sealed class ApiServerFaultsUnderLoadTests : ClusterTest
{
    private const string Approved = ClusterHarness.Deployment; // checkout: approved below
    private const string Unapproved = "billing";

    private async Task ApproveCheckoutAsync()
    {
        await ApprovedAsync("checkout-2-4-1");
    }

    [Fact]
    public async Task Refusing_then_back_decides_from_the_cache_within_the_bound_then_fails_closed_then_recovers()
    {
        var admission = await _cluster.StartAdmissionAsync(extraArgs: ["--max-cache-staleness", "6s"]);
        await ApproveCheckoutAsync();
        await Wait.ForAsync(() => admission.MetricAsync("admission_approvals_cached"), v => v == 1, TimeSpan.FromSeconds(5), "approval cached");

        await using var load = new ReviewLoad(admission, Approved, Unapproved);
        await Wait.UntilAsync(() => load.Answers.Count(a => a.Allowed) >= 5, TimeSpan.FromSeconds(20), () => "no allowed answers before the fault");
        await _cluster.Api.StopAsync();
        var down = load.Now;
        await admission.WaitReadyAsync(false, TimeSpan.FromSeconds(20));
        await Wait.UntilAsync(() => load.Answers.Any(a => a.At > down && a.Message.Contains("approvals cannot be verified right now", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20), () => "never failed closed while the API server was down");
        var firstClosed = load.Answers.First(a => a.At > down && a.Message.Contains("approvals cannot be verified right now", StringComparison.Ordinal));
        var failedClosed = firstClosed.At;
        // Two workers run at once, so a review sent later may be decided sooner (the other one waiting on
        // its live read): only a review sent after a fail-closed answer arrived is surely decided after it.
        var closedSeen = firstClosed.Done;
        await Task.Delay(1000); // some load past the bound, to see it stays closed
        await _cluster.Api.StartAsync();
        var up = load.Now;
        await admission.WaitReadyAsync(true, TimeSpan.FromSeconds(30));
        await Wait.UntilAsync(() => load.Answers.Count(a => a.At > up && a.Deployment == Approved && a.Allowed) >= 5, TimeSpan.FromSeconds(20),
            () => "not admitting again after the API server came back");
        var answers = await load.StopAsync();

        // Every review got a decision: no 5xx, no connection failure, no timeout.
        Assert.All(answers, a => Assert.True(a.Status == 200, $"t={a.At:F1}s {a.Deployment}: {a.Status} {a.Message}"));
        // The unapproved change is never admitted, whatever the API server does.
        Assert.All(answers.Where(a => a.Deployment == Unapproved), a => Assert.False(a.Allowed, $"t={a.At:F1}s billing admitted"));
        // Within the bound the cache still admits the approved change (well inside 6 s, allowing for a loaded machine).
        Assert.Contains(answers, a => a.Deployment == Approved && a.Allowed && a.At > down + 0.5 && a.At < down + 4);
        Assert.True(failedClosed - down >= 4, $"failed closed {failedClosed - down:F1}s after the API server went away, before the 6 s bound");
        // Past the bound and until the API server is back (answered before it was), nothing rests on the stale cache.
        Assert.All(answers.Where(a => a.At > closedSeen && a.Done < up), a => Assert.False(a.Allowed, $"t={a.At:F1}s {a.Deployment} admitted past the bound"));
        Assert.Contains(answers, a => a.At > up && a.Deployment == Approved && a.Allowed);
    }

    [Fact]
    public async Task Stalled_watches_under_load_keep_deciding_and_a_new_approval_counts_through_the_live_read()
    {
        var admission = await _cluster.StartAdmissionAsync(environment: new Dictionary<string, string> { ["ADMISSION_WATCH_IDLE_TIMEOUT"] = "2s" });
        await ApproveCheckoutAsync();
        await Wait.ForAsync(() => admission.MetricAsync("admission_approvals_cached"), v => v == 1, TimeSpan.FromSeconds(5), "approval cached");

        await using var load = new ReviewLoad(admission, Approved, Unapproved);
        // Some billing answers before it is approved, so that the denial before it is seen, not assumed.
        await Wait.UntilAsync(() => load.Answers.Count(a => a.Deployment == Unapproved) >= 3, TimeSpan.FromSeconds(20), () => "no billing answers before the stall");
        _cluster.Api.StallWatches = true;
        var stalled = load.Now;
        // billing is approved while the watches say nothing: the live read before a denial finds it.
        var created = await ClusterHarness.Try(() => _cluster.Client("carol").CustomObjects.CreateNamespacedCustomObjectAsync(
            ClusterHarness.ApprovalObject("billing", "carol", DateTimeOffset.UtcNow.AddHours(1), target: Unapproved),
            ChangeApproval.Group, ChangeApproval.Version, ClusterHarness.Ns, ChangeApproval.Plural));
        Assert.True(created.Ok, created.ToString());
        Assert.True((await _cluster.ApproveAsync("alice", "billing")).Ok);
        Assert.True((await _cluster.ApproveAsync("bob", "billing")).Ok);
        var approved = load.Now;
        // Sent after the approval (a review sent before it may be answered after it, through the
        // live read, and would end the wait too early for the assertion below).
        await Wait.UntilAsync(() => load.Answers.Any(a => a.Deployment == Unapproved && a.Allowed && a.At > approved), TimeSpan.FromSeconds(15), () => "billing never admitted during the stall");
        _cluster.Api.StallWatches = false;
        var answers = await load.StopAsync();

        Assert.All(answers, a => Assert.True(a.Status == 200, $"t={a.At:F1}s {a.Deployment}: {a.Status} {a.Message}"));
        Assert.All(answers.Where(a => a.Deployment == Approved && a.At > stalled), a => Assert.True(a.Allowed, $"t={a.At:F1}s checkout denied during the stall: {a.Message}"));
        Assert.Contains(answers, a => a.Deployment == Unapproved && a.Done < stalled);
        Assert.All(answers.Where(a => a.Deployment == Unapproved && a.Done < stalled), a => Assert.False(a.Allowed, $"t={a.At:F1}s billing admitted before it was approved"));
        Assert.Contains(answers, a => a.Deployment == Unapproved && a.Allowed && a.At > approved);
    }
}
