using Admission.Operator.State;

namespace Admission.Cluster.Tests;

public sealed class ClusterApprovalCacheTests : IAsyncLifetime
{
    private readonly FakeListWatchSource _approvals = new("ChangeApprovals");
    private readonly FakeListWatchSource _namespaces = new("Namespaces");
    private readonly FakeLiveReader _live = new();
    private readonly CancellationTokenSource _stop = new();
    private ClusterApprovalCache _cache = null!;

    private static readonly ClusterTimings Fast = new()
    {
        WatchIdleTimeout = TimeSpan.FromSeconds(30),
        BackoffInitial = TimeSpan.FromMilliseconds(10),
        BackoffMax = TimeSpan.FromMilliseconds(50),
        LiveReadTimeout = TimeSpan.FromMilliseconds(200),
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cache is not null) await _cache.StopAsync(CancellationToken.None);
        _stop.Dispose();
    }

    private async Task<ClusterApprovalCache> Start(ClusterTimings? timings = null, TimeSpan? staleness = null, TimeProvider? clock = null)
    {
        _cache = new ClusterApprovalCache(_approvals, _namespaces, _live,
            new ClusterSettings("admission-system", "test", "admission") { MaxCacheStaleness = staleness ?? TimeSpan.FromSeconds(60) }, timings ?? Fast,
            clock ?? TimeProvider.System, NullLogger<ClusterApprovalCache>.Instance);
        await _cache.StartAsync(_stop.Token);
        return _cache;
    }

    /// <summary>Started, with both first lists in (ChangeApprovals at resourceVersion 10, Namespaces at 20) and both watches open.</summary>
    private async Task<ClusterApprovalCache> StartSynced(JsonElement[]? approvals = null, JsonElement[]? namespaces = null,
        ClusterTimings? timings = null, TimeSpan? staleness = null, TimeProvider? clock = null)
    {
        var cache = await Start(timings, staleness, clock);
        _approvals.AnswerList("10", approvals ?? []);
        _namespaces.AnswerList("20", namespaces ?? []);
        await Synced();
        return cache;
    }

    private static IReadOnlyList<string> Approvals(DecisionSnapshot snapshot, string ns = "payments", string target = "checkout") =>
        [.. snapshot.Approvals.Targeting(ns, "apps", "Deployment", target).Select(a => a.Name + ":" + string.Join(",", a.Approvals.Select(e => e.Approver)))];

    private async Task Synced(string approvalsRv = "10", string namespacesRv = "20")
    {
        await Eventually.True(() => _approvals.Watching && _namespaces.Watching, "both watches open");
        Assert.True(_cache.Readiness.Ready, _cache.Readiness.Detail);
        Assert.Equal([approvalsRv], _approvals.WatchedFrom);
        Assert.Equal([namespacesRv], _namespaces.WatchedFrom);
    }

    [Fact]
    public async Task Not_ready_until_both_lists_are_in()
    {
        var cache = await Start();
        Assert.False(cache.Readiness.Ready);
        Assert.Contains("not synced", cache.Readiness.Detail, StringComparison.Ordinal);
        Assert.False(cache.CanVerify);

        _approvals.AnswerList("10", Objects.Approval(approvers: ["alice"]));
        await Eventually.True(() => _approvals.Watching, "approvals watch open");
        Assert.False(cache.Readiness.Ready);
        Assert.Contains("Namespaces: waiting for the first list", cache.Readiness.Detail, StringComparison.Ordinal);

        _namespaces.AnswerList("20", Objects.Tier1("payments"));
        await Synced();
        Assert.True(cache.CanVerify);
        Assert.Contains("synced: 1 ChangeApprovals, 1 Namespaces", cache.Readiness.Detail, StringComparison.Ordinal);
        Assert.Equal(["checkout-1:alice"], Approvals(cache.Snapshot));
        Assert.Equal("1", cache.Snapshot.Namespaces.Labels("payments")!["approvals.admission.dev/tier"]);
    }

    [Fact]
    public async Task A_failed_first_list_is_retried_and_reported()
    {
        var cache = await Start();
        _approvals.FailList("connection refused");
        _namespaces.AnswerList("20");
        await Eventually.True(() => cache.Readiness.Detail.Contains("list failed: connection refused", StringComparison.Ordinal), "the failure in the detail");
        Assert.False(cache.Readiness.Ready);
        _approvals.AnswerList("10");
        await Synced();
        Assert.Equal(2, _approvals.ListCount);
    }

    [Fact]
    public async Task Applies_added_modified_and_deleted_and_follows_bookmarks()
    {
        var cache = await StartSynced();

        _approvals.Send(WatchEventKind.Added, Objects.Approval(approvers: [], rv: "11"));
        await Eventually.True(() => Approvals(cache.Snapshot).SequenceEqual(["checkout-1:"]), "added");
        _approvals.Send(WatchEventKind.Modified, Objects.Approval(approvers: ["alice", "bob"], rv: "12"));
        await Eventually.True(() => Approvals(cache.Snapshot).SequenceEqual(["checkout-1:alice,bob"]), "modified");
        _approvals.Send(WatchEventKind.Added, Objects.Approval(name: "checkout-2", rv: "13"));
        await Eventually.True(() => Approvals(cache.Snapshot).Count == 2, "second added");
        _approvals.Send(WatchEventKind.Deleted, Objects.Approval(approvers: ["alice", "bob"], rv: "14"));
        await Eventually.True(() => Approvals(cache.Snapshot).SequenceEqual(["checkout-2:"]), "deleted");

        _namespaces.Send(WatchEventKind.Modified, Objects.Namespace("payments", "21"));
        await Eventually.True(() => cache.Snapshot.Namespaces.Labels("payments")?.Count == 0, "namespace relabelled");

        // A bookmark moves the resourceVersion on; a watch the server closes resumes from there, without a relist.
        _approvals.Send(WatchEventKind.Bookmark, Objects.Bookmark("50"));
        await Task.Delay(50);
        _approvals.CloseWatch();
        await Eventually.True(() => _approvals.WatchedFrom.Count == 2 && _approvals.Watching, "watch resumed");
        Assert.Equal(["10", "50"], _approvals.WatchedFrom);
        Assert.Equal(1, _approvals.ListCount);
        Assert.Equal(["checkout-2:"], Approvals(cache.Snapshot));
    }

    [Fact]
    public async Task An_expired_resourceVersion_in_the_stream_relists()
    {
        var cache = await StartSynced([Objects.Approval(name: "old")]);

        _approvals.AnswerList("90", Objects.Approval(name: "new", approvers: ["alice"]));
        _approvals.Send(WatchEventKind.Error, Objects.Status(410, "too old resource version: 10 (80)"));
        await Eventually.True(() => _approvals.ListCount == 2 && _approvals.Watching && _approvals.WatchedFrom.Count == 2, "relisted");
        Assert.Equal(["10", "90"], _approvals.WatchedFrom);
        Assert.Equal(["new:alice"], Approvals(cache.Snapshot)); // what vanished while the watch was cut is gone
        Assert.True(cache.Readiness.Ready);
    }

    [Fact]
    public async Task An_HTTP_410_on_reconnect_relists()
    {
        var cache = await StartSynced();

        _approvals.Send(WatchEventKind.Bookmark, Objects.Bookmark("10"));
        await Task.Delay(50);
        _approvals.ExpireNextWatch = true;
        _approvals.AnswerList("95", Objects.Approval(approvers: ["alice", "bob"]));
        _approvals.CloseWatch();
        await Eventually.True(() => _approvals.ListCount == 2 && _approvals.WatchedFrom.Count == 3 && _approvals.Watching, "relisted after 410");
        Assert.Equal(["10", "10", "95"], _approvals.WatchedFrom);
        Assert.Equal(["checkout-1:alice,bob"], Approvals(cache.Snapshot));
    }

    [Fact]
    public async Task A_watch_that_stalls_is_replaced_by_a_relist()
    {
        var cache = await Start(Fast with { WatchIdleTimeout = TimeSpan.FromMilliseconds(300) });
        _approvals.AnswerList("10");
        _namespaces.AnswerList("20");
        _namespaces.AnswerList("21");
        await Synced();
        _approvals.AnswerList("30", Objects.Approval(approvers: ["alice"]));

        // The namespaces watch hears a bookmark now and then; the approvals watch hears nothing.
        for (var i = 0; i < 6; i++)
        {
            await Task.Delay(100);
            if (_namespaces.Watching) _namespaces.Send(WatchEventKind.Bookmark, Objects.Bookmark("2" + i));
        }
        await Eventually.True(() => _approvals.ListCount >= 2 && _approvals.WatchedFrom.Contains("30"), "approvals relisted after the stall");
        Assert.Equal(["checkout-1:alice"], Approvals(cache.Snapshot));
        Assert.Equal(1, _namespaces.ListCount);
    }

    [Fact]
    public async Task Out_of_touch_beyond_the_staleness_bound_is_not_ready()
    {
        // Time is moved by hand: the bound is checked at its edge, whatever the machine's load does to the loops' scheduling.
        var clock = new FakeTimeProvider(Objects.T0);
        var cache = await StartSynced([Objects.Approval(approvers: ["alice", "bob"])], [Objects.Tier1("payments")],
            Fast with { WatchIdleTimeout = TimeSpan.FromMilliseconds(200) }, staleness: TimeSpan.FromMilliseconds(800), clock);

        // The API server goes away: watches stall, relists fail.
        _approvals.Down = _namespaces.Down = true;
        for (var i = 0; i < 100; i++)
        {
            _approvals.FailList("connection refused");
            _namespaces.FailList("connection refused");
        }
        clock.Advance(TimeSpan.FromMilliseconds(200)); // both watches reach the idle timeout
        await Eventually.True(() => _approvals.ListCount == 2 && _namespaces.ListCount == 2, "both relisted after the stall, and failed");
        clock.Advance(TimeSpan.FromMilliseconds(600)); // the last contact is now exactly the bound ago
        Assert.True(cache.Readiness.Ready, "at the bound: " + cache.Readiness.Detail);
        Assert.True(cache.CanVerify);
        Assert.Equal(["checkout-1:alice,bob"], Approvals(cache.Snapshot)); // decisions go on from the cache

        clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(cache.Readiness.Ready, "past the bound: " + cache.Readiness.Detail);
        Assert.False(cache.CanVerify);
        Assert.Contains("out of touch with the API server", cache.Readiness.Detail, StringComparison.Ordinal);
        await Eventually.True(() => cache.Readiness.Detail.Contains("connection refused", StringComparison.Ordinal), "the relists' failure in the detail");
        Assert.Equal(["checkout-1:alice,bob"], Approvals(cache.Snapshot));
    }

    [Fact]
    public async Task Freshen_reads_the_namespace_live_without_touching_the_cache()
    {
        var cache = await StartSynced(
            [Objects.Approval(approvers: ["alice"]), Objects.Approval(ns: "other", name: "x", approvers: ["alice"])], [Objects.Tier1("payments")]);

        _live.Approvals = ns => ns == "payments" ? [Objects.Approval(approvers: ["alice", "bob"], rv: "99")] : [];
        var fresher = await cache.FreshenAsync("payments", CancellationToken.None);
        Assert.NotNull(fresher);
        Assert.Equal(["checkout-1:alice,bob"], Approvals(fresher));
        Assert.Equal(["x:alice"], Approvals(fresher, "other", "checkout")); // other namespaces as cached
        Assert.Equal(["checkout-1:alice"], Approvals(cache.Snapshot));     // the shared snapshot is untouched
        Assert.Equal(0, _live.NamespaceReads);                             // its labels were known
    }

    [Fact]
    public async Task Freshen_reads_an_unknown_namespace_and_works_before_any_sync()
    {
        var cache = await Start();
        _live.Approvals = _ => [Objects.Approval(approvers: ["alice", "bob"])];
        _live.Namespaces = name => Objects.Tier1(name);
        var fresher = await cache.FreshenAsync("payments", CancellationToken.None);
        Assert.NotNull(fresher);
        Assert.Equal(["checkout-1:alice,bob"], Approvals(fresher));
        Assert.Equal("1", fresher.Namespaces.Labels("payments")!["approvals.admission.dev/tier"]);
        Assert.False(cache.Readiness.Ready);
        Assert.True(cache.CanVerify); // a live read verified
    }

    [Fact]
    public async Task Freshen_gives_nothing_when_the_read_fails_or_is_too_slow()
    {
        var cache = await Start();
        _live.Approvals = _ => throw new HttpRequestException("connection refused");
        Assert.Null(await cache.FreshenAsync("payments", CancellationToken.None));
        Assert.False(cache.CanVerify);

        _live.Approvals = _ => [];
        _live.Delay = TimeSpan.FromSeconds(5);
        var started = DateTime.UtcNow;
        Assert.Null(await cache.FreshenAsync("payments", CancellationToken.None));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2), "bounded by the live read timeout");
        Assert.False(cache.CanVerify);
    }

    [Fact]
    public async Task A_failed_watch_relists_after_a_backoff()
    {
        var cache = await StartSynced([Objects.Approval(name: "kept")]);

        _approvals.AnswerList("40", Objects.Approval(name: "after"));
        _approvals.Watch.TryComplete(new IOException("connection reset by peer"));
        await Eventually.True(() => _approvals.ListCount == 2 && _approvals.WatchedFrom.Contains("40"), "relisted after the failure");
        Assert.Equal(["after:"], Approvals(cache.Snapshot).Where(a => a.StartsWith("after", StringComparison.Ordinal)));
        Assert.Equal(1, cache.Snapshot.Approvals.Count);
        Assert.True(cache.Readiness.Ready);
    }

    [Fact]
    public async Task Publishes_changes_to_the_status_operator()
    {
        var cache = await Start();
        var changed = new System.Collections.Concurrent.ConcurrentQueue<string>();
        cache.Changed += changed.Enqueue;
        _approvals.AnswerList("10", Objects.Approval(name: "a"));
        _namespaces.AnswerList("20");
        await Synced();
        _approvals.Send(WatchEventKind.Modified, Objects.Approval(name: "a", rv: "11", approvers: ["alice"]));
        await Eventually.True(() => changed.Count == 2, "two changes");
        Assert.Equal(["payments/a", "payments/a"], changed);
        Assert.Equal("11", cache.Find("payments/a")!.ResourceVersion);
        Assert.Single(cache.All);
    }
}
