namespace Admission.Cluster.Tests;

/// <summary>
/// The cache with production timings and the chart's staleness bound on an injected clock, so
/// hours of kube-apiserver's bookmark cadence take milliseconds: a watch that hears a bookmark
/// about once a minute is never relisted, a silent one is, and an unreachable API server still
/// fails the cache closed at the bound.
/// </summary>
public sealed class QuietWatchTests : IAsyncLifetime
{
    private static readonly TimeSpan ChartStaleness = TimeSpan.FromSeconds(120);

    private readonly FakeListWatchSource _approvals = new("ChangeApprovals");
    private readonly FakeListWatchSource _namespaces = new("Namespaces");
    private readonly FakeTimeProvider _clock = new();
    private readonly CancellationTokenSource _stop = new();
    private ClusterApprovalCache? _cache;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cache is not null) await _cache.StopAsync(CancellationToken.None);
        _stop.Dispose();
    }

    private async Task<ClusterApprovalCache> StartSyncedAsync()
    {
        _cache = new ClusterApprovalCache(_approvals, _namespaces, null,
            new ClusterSettings("admission-system", "test", "admission") { MaxCacheStaleness = ChartStaleness }, new ClusterTimings(), _clock,
            NullLogger<ClusterApprovalCache>.Instance);
        _approvals.AnswerList("10", Objects.Approval(approvers: ["alice", "bob"]));
        _namespaces.AnswerList("20", Objects.Tier1("payments"));
        await _cache.StartAsync(_stop.Token);
        await Eventually.True(() => _approvals.Watching && _namespaces.Watching && _cache.Readiness.Ready, "synced and watching");
        return _cache;
    }

    /// <summary>Advances the clock, then both watches hear a bookmark and the cache has taken it in.</summary>
    private async Task BookmarkAfterAsync(ClusterApprovalCache cache, TimeSpan gap, int n)
    {
        _clock.Advance(gap);
        Assert.True(_approvals.Watching && _namespaces.Watching, $"a watch was closed after bookmark {n}");
        _approvals.Send(WatchEventKind.Bookmark, Objects.Bookmark("1" + n));
        _namespaces.Send(WatchEventKind.Bookmark, Objects.Bookmark("2" + n));
        await Eventually.True(() => cache.Readiness.Detail.Contains("last contact 0s ago", StringComparison.Ordinal),
            $"bookmark {n} taken in: {cache.Readiness.Detail}");
    }

    // Gaps between bookmarks, in seconds, repeated for two simulated hours: kube-apiserver's minute,
    // its dispatch timer's 1.25 s late tick, and the longest gap, across a watch that ended at its deadline.
    [Theory]
    [InlineData(new[] { 60.0 })]
    [InlineData(new[] { 61.25, 60.0, 62.0 })]
    [InlineData(new[] { 65.0 })]
    [InlineData(new[] { 1.0, 65.0, 30.0, 64.0 })]
    public async Task Bookmarks_at_kube_apiservers_cadence_keep_the_watch_for_hours(double[] gaps)
    {
        var cache = await StartSyncedAsync();
        var elapsed = TimeSpan.Zero;
        for (var n = 0; elapsed < TimeSpan.FromHours(2); n++)
        {
            var gap = TimeSpan.FromSeconds(gaps[n % gaps.Length]);
            await BookmarkAfterAsync(cache, gap, n);
            elapsed += gap;
            Assert.True(cache.Readiness.Ready, cache.Readiness.Detail);
        }
        Assert.Equal((1, 1), (_approvals.ListCount, _namespaces.ListCount));
        Assert.Equal(["10"], _approvals.WatchedFrom);
    }

    [Fact]
    public async Task A_silent_watch_is_relisted_after_90s_and_the_cache_stays_ready()
    {
        var cache = await StartSyncedAsync();
        _approvals.AnswerList("30", Objects.Approval(approvers: ["alice"]));

        // The namespaces watch keeps hearing bookmarks; the approvals watch hears nothing.
        _clock.Advance(TimeSpan.FromSeconds(60));
        _namespaces.Send(WatchEventKind.Bookmark, Objects.Bookmark("21"));
        await Eventually.True(() => _namespaces.Pending == 0, "the namespaces bookmark taken in");
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(1, _approvals.ListCount);
        Assert.True(cache.Readiness.Ready, cache.Readiness.Detail);

        _clock.Advance(TimeSpan.FromSeconds(2));
        await Eventually.True(() => _approvals.ListCount == 2 && _approvals.WatchedFrom.Contains("30"), "approvals relisted after 90 s of silence");
        Assert.True(cache.Readiness.Ready, cache.Readiness.Detail);
        Assert.Equal(1, _namespaces.ListCount);
    }

    [Fact]
    public async Task Unreachable_past_the_bound_fails_closed_though_the_stall_timeout_is_longer_than_before()
    {
        var cache = await StartSyncedAsync();
        _approvals.Down = _namespaces.Down = true;
        for (var i = 0; i < 50; i++)
        {
            _approvals.FailList("connection refused");
            _namespaces.FailList("connection refused");
        }

        _clock.Advance(TimeSpan.FromSeconds(119));
        Assert.True(cache.Readiness.Ready, "within the bound: " + cache.Readiness.Detail);
        Assert.True(cache.CanVerify);

        // The stall timeout has fired: the watches are relisting, and failing, with backoff.
        await Eventually.True(() => _approvals.ListCount >= 2 && _namespaces.ListCount >= 2, "stalled watches relisted");
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.False(cache.Readiness.Ready);
        Assert.Contains("out of touch with the API server", cache.Readiness.Detail, StringComparison.Ordinal);
        Assert.False(cache.CanVerify);
    }
}
