using Admission.TestApiServer;

namespace Admission.Cluster.Tests.Faults;

/// <summary>
/// The API server answering errors, not going away: 500 and 503 on every read of ChangeApprovals
/// and Namespaces, 429 with Retry-After (API Priority and Fairness), 500 on status writes, each
/// while reviews keep arriving. Every review is answered 200; the cache decides within its
/// staleness bound, the webhook fails closed with a clear message past it, and everything comes
/// back by itself when the errors stop.
/// </summary>
public sealed class ApiServerErrorsUnderLoadTests : ClusterTest
{
    private const string Approved = ClusterHarness.Deployment; // checkout: approved below
    private const string Unapproved = "billing";
    private const string FailedClosed = "approvals cannot be verified right now";

    private async Task ApproveCheckoutAsync()
    {
        await ApprovedAsync("checkout-2-4-1");
    }

    public static TheoryData<string, int, int?> ReadErrors => new()
    {
        { "500", 500, null },
        { "503 with Retry-After", 503, 1 },
    };

    [Theory]
    [MemberData(nameof(ReadErrors))]
    public async Task Reads_answered_with_errors_decide_from_the_cache_within_the_bound_then_fail_closed_then_recover(string name, int code, int? retryAfter)
    {
        var admission = await _cluster.StartAdmissionAsync(extraArgs: ["--max-cache-staleness", "6s"]);
        await ApproveCheckoutAsync();
        await Wait.ForAsync(() => admission.MetricAsync("admission_approvals_cached"), v => v == 1, TimeSpan.FromSeconds(5), "approval cached");

        await using var load = new ReviewLoad(admission, Approved, Unapproved);
        await Wait.UntilAsync(() => load.Answers.Count(a => a.Allowed) >= 5, TimeSpan.FromSeconds(20), () => "no allowed answers before the fault");
        // Every list, watch and live read of what decisions rest on fails; the open watches end, as
        // they would when the API server behind the load balancer is replaced by a failing one.
        _cluster.Api.Faults.AddForResources(new Fault(code, retryAfter is { } s ? TimeSpan.FromSeconds(s) : null), ChangeApproval.Plural, "namespaces");
        _cluster.Api.CloseWatches();
        var down = load.Now;
        await admission.WaitReadyAsync(false, TimeSpan.FromSeconds(20));
        await Wait.UntilAsync(() => load.Answers.Any(a => a.At > down && a.Message.Contains(FailedClosed, StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20), () => $"{name}: never failed closed while the API server answered errors");
        var firstClosed = load.Answers.First(a => a.At > down && a.Message.Contains(FailedClosed, StringComparison.Ordinal));
        var failedClosed = firstClosed.At;
        // Two workers run at once, so a review sent later may be decided sooner (the other one waiting on
        // its live read): only a review sent after a fail-closed answer arrived is surely decided after it.
        var closedSeen = firstClosed.Done;
        await Task.Delay(1000); // some load past the bound, to see it stays closed
        // Taken before the errors stop: a review answered before this moment was decided under them.
        var up = load.Now;
        _cluster.Api.Faults.Clear();
        await admission.WaitReadyAsync(true, TimeSpan.FromSeconds(30));
        await Wait.UntilAsync(() => load.Answers.Count(a => a.At > up && a.Deployment == Approved && a.Allowed) >= 5, TimeSpan.FromSeconds(20),
            () => $"{name}: not admitting again after the errors stopped");
        var answers = await load.StopAsync();

        Assert.True(_cluster.Api.Faults.Injected > 0);
        Assert.All(answers, a => Assert.True(a.Status == 200, $"{name} t={a.At:F1}s {a.Deployment}: {a.Status} {a.Message}"));
        Assert.All(answers.Where(a => a.Deployment == Unapproved), a => Assert.False(a.Allowed, $"{name} t={a.At:F1}s billing admitted"));
        Assert.Contains(answers, a => a.Deployment == Approved && a.Allowed && a.At > down + 0.5 && a.At < down + 4);
        Assert.True(failedClosed - down >= 4, $"{name}: failed closed {failedClosed - down:F1}s after the errors began, before the 6 s bound");
        Assert.All(answers.Where(a => a.At > closedSeen && a.Done < up), a => Assert.False(a.Allowed, $"{name} t={a.At:F1}s {a.Deployment} admitted past the bound"));
        // The message says what is wrong and what to do; the error itself is in the log.
        var closed = answers.First(a => a.At > closedSeen && a.Deployment == Approved);
        Assert.Contains("Retry shortly", closed.Message, StringComparison.Ordinal);
        Assert.Contains($"HTTP {code}", admission.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttled_with_429_and_Retry_After_the_cache_keeps_deciding_and_retries_no_sooner_than_asked()
    {
        // A fast backoff with room above it, so that only Retry-After can space the retries out.
        var admission = await _cluster.StartAdmissionAsync(environment: new Dictionary<string, string>
        {
            ["ADMISSION_BACKOFF_INITIAL"] = "50ms",
            ["ADMISSION_BACKOFF_MAX"] = "30s",
        });
        await ApproveCheckoutAsync();
        await Wait.ForAsync(() => admission.MetricAsync("admission_approvals_cached"), v => v == 1, TimeSpan.FromSeconds(5), "approval cached");

        await using var load = new ReviewLoad(admission, Approved, Unapproved);
        await Wait.UntilAsync(() => load.Answers.Count(a => a.Allowed) >= 5, TimeSpan.FromSeconds(20), () => "no allowed answers before the fault");
        var retryAfter = TimeSpan.FromSeconds(3);
        _cluster.Api.Faults.AddForResources(Fault.TooManyRequests(retryAfter), ChangeApproval.Plural, "namespaces");
        _cluster.Api.CloseWatches();
        var throttled = load.Now;
        var since = DateTimeOffset.UtcNow;
        // Three Retry-After periods of the cluster-wide ChangeApproval list and watch being refused.
        await Wait.UntilAsync(() => Throttled(since).Count >= 4, TimeSpan.FromSeconds(30), () => $"throttled requests: {string.Join(", ", Throttled(since))}");
        _cluster.Api.Faults.Clear();
        var answers = await load.StopAsync();

        var times = Throttled(since);
        // Retry-After is whole seconds; the log times are taken when each answer starts.
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, g => Assert.True(g >= retryAfter - TimeSpan.FromMilliseconds(300), $"retried {g.TotalSeconds:F2}s after a 429 asking for {retryAfter.TotalSeconds}s: {string.Join(", ", gaps.Select(x => x.TotalSeconds.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}"));
        // Well inside the default 60 s bound, the cache decides throughout.
        Assert.All(answers, a => Assert.True(a.Status == 200, $"t={a.At:F1}s {a.Deployment}: {a.Status} {a.Message}"));
        Assert.All(answers.Where(a => a.At > throttled && a.Deployment == Approved), a => Assert.True(a.Allowed, $"t={a.At:F1}s checkout denied while throttled: {a.Message}"));
        Assert.All(answers.Where(a => a.Deployment == Unapproved), a => Assert.False(a.Allowed, $"t={a.At:F1}s billing admitted"));
        await admission.WaitReadyAsync(true, TimeSpan.FromSeconds(10));
    }

    /// <summary>When the cluster-wide ChangeApproval list or watch of the webhook was answered 429, in order.</summary>
    private List<DateTimeOffset> Throttled(DateTimeOffset since) =>
        [.. _cluster.Api.Requests
            .Where(r => r.Time >= since && r.Status == 429 && r.Path == $"/apis/{ChangeApproval.Group}/{ChangeApproval.Version}/{ChangeApproval.Plural}")
            .Select(r => r.Time).Order()];

    [Fact]
    public async Task Status_writes_answered_500_leave_decisions_alone_and_the_status_is_written_when_they_stop()
    {
        var admission = await _cluster.StartAdmissionAsync();
        await Wait.UntilAsync(() => admission.Log.Contains("leader", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(20), () => "no leader\n" + admission.Log);
        _cluster.Api.Faults.Add(t => t.Resource == ChangeApproval.Plural && t.Subresource == "status", Fault.InternalError);

        await using var load = new ReviewLoad(admission, Approved, Unapproved);
        await ApproveCheckoutAsync();
        var approved = load.Now;
        await Wait.UntilAsync(() => load.Answers.Count(a => a.At > approved && a.Deployment == Approved && a.Allowed) >= 5, TimeSpan.FromSeconds(20),
            () => "the approved change not admitted while status writes fail");
        await Wait.UntilAsync(() => _cluster.Api.Faults.Injected >= 2, TimeSpan.FromSeconds(20), () => "no status write attempted");
        Assert.Null(_cluster.Phase("checkout-2-4-1"));

        _cluster.Api.Faults.Clear();
        await Wait.UntilAsync(() => _cluster.Phase("checkout-2-4-1") == "Approved", TimeSpan.FromSeconds(20),
            () => $"status not written after the errors stopped (phase {_cluster.Phase("checkout-2-4-1")})\n{admission.Log}");
        var answers = await load.StopAsync();

        Assert.All(answers, a => Assert.True(a.Status == 200, $"t={a.At:F1}s {a.Deployment}: {a.Status} {a.Message}"));
        Assert.All(answers.Where(a => a.Deployment == Unapproved), a => Assert.False(a.Allowed, $"t={a.At:F1}s billing admitted"));
        Assert.Contains("HTTP 500", admission.Log, StringComparison.Ordinal);
    }
}
