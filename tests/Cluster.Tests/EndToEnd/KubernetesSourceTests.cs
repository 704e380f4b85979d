using System.Globalization;
using Admission.Kubernetes;
using Admission.Operator.Webhook;
using Admission.TestApiServer;

namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>The KubernetesClient-backed list and watch, against the test API server in-process.</summary>
public sealed class KubernetesSourceTests : ClusterTest
{
    [Fact]
    public async Task Lists_watches_bookmarks_and_reports_an_expired_resourceVersion()
    {
        var source = new ChangeApprovalListWatch(_cluster.Client("admin"));
        _cluster.Api.Seed(ClusterHarness.ApprovalObject("one", "carol", DateTimeOffset.UtcNow.AddHours(1)));
        var list = await source.ListAsync(CancellationToken.None);
        Assert.Single(list.Items);

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new List<WatchEvent>();
        var watching = Task.Run(async () =>
        {
            await foreach (var ev in source.WatchAsync(list.ResourceVersion, stop.Token)) seen.Add(ev);
        });
        _cluster.Api.Seed(ClusterHarness.ApprovalObject("two", "carol", DateTimeOffset.UtcNow.AddHours(1)));
        await Wait.UntilAsync(() => seen.Any(e => e.Kind == WatchEventKind.Added) && seen.Any(e => e.Kind == WatchEventKind.Bookmark),
            TimeSpan.FromSeconds(5), () => string.Join(", ", seen.Select(e => e.Kind)));

        _cluster.Api.ExpireResourceVersions();
        await watching;
        Assert.Equal(WatchEventKind.Error, seen[^1].Kind);
        Assert.Equal(410, seen[^1].ErrorCode);

        // Watching again from the old resourceVersion: refused with 410 (an ERROR event, as kube-apiserver does, or HTTP 410).
        var again = new List<WatchEvent>();
        try
        {
            await foreach (var ev in source.WatchAsync(list.ResourceVersion, stop.Token)) again.Add(ev);
            Assert.Equal(410, Assert.Single(again).ErrorCode);
        }
        catch (ResourceExpiredException)
        {
            Assert.Empty(again);
        }
    }

    [Fact]
    public async Task A_full_list_is_read_in_pages_that_together_are_one_list_at_one_resourceVersion()
    {
        for (var i = 0; i < 5; i++) _cluster.Api.Seed(ClusterHarness.ApprovalObject($"change-{i}", "carol", DateTimeOffset.UtcNow.AddHours(1)));
        var lists = 0;
        // Between the first page and the second, another approval is made: a consistent list does not show it.
        _cluster.Api.Faults.Add(t =>
        {
            if (t.Verb == "list" && t.Resource == ChangeApproval.Plural && ++lists == 2) _cluster.Api.Seed(ClusterHarness.ApprovalObject("late", "carol", DateTimeOffset.UtcNow.AddHours(1)));
            return false;
        }, Fault.InternalError);
        var before = _cluster.Api.ResourceVersion;

        var list = await new ChangeApprovalListWatch(_cluster.Client("admin"), pageSize: 2).ListAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"change-{i}"), list.Items.Select(i => ObjectFields.Name(i)));
        Assert.Equal(before.ToString(CultureInfo.InvariantCulture), list.ResourceVersion);
        var requests = _cluster.Api.Requests.Where(r => r.Method == "GET" && r.Path.EndsWith("/" + ChangeApproval.Plural, StringComparison.Ordinal)).ToList();
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Contains("limit=2", r.Query, StringComparison.Ordinal));
        Assert.Equal(2, requests.Count(r => r.Query.Contains("continue=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_list_whose_pages_outlive_their_resourceVersion_is_read_again_whole()
    {
        for (var i = 0; i < 5; i++) _cluster.Api.Seed(ClusterHarness.ApprovalObject($"change-{i}", "carol", DateTimeOffset.UtcNow.AddHours(1)));
        var lists = 0;
        // Before the second page, a write and a compaction: the first page's version is gone (410 Expired).
        _cluster.Api.Faults.Add(t =>
        {
            if (t.Verb == "list" && t.Resource == ChangeApproval.Plural && ++lists == 2)
            {
                _cluster.Api.Seed(ClusterHarness.ApprovalObject("late", "carol", DateTimeOffset.UtcNow.AddHours(1)));
                _cluster.Api.ExpireResourceVersions();
            }
            return false;
        }, Fault.InternalError);

        var list = await new ChangeApprovalListWatch(_cluster.Client("admin"), pageSize: 2).ListAsync(CancellationToken.None);

        Assert.Equal(["change-0", "change-1", "change-2", "change-3", "change-4", "late"], list.Items.Select(i => ObjectFields.Name(i)));
        Assert.Equal(_cluster.Api.ResourceVersion.ToString(CultureInfo.InvariantCulture), list.ResourceVersion);
        var requests = _cluster.Api.Requests.Where(r => r.Method == "GET" && r.Path.EndsWith("/" + ChangeApproval.Plural, StringComparison.Ordinal)).ToList();
        Assert.Equal([200, 410, 200], requests.Select(r => r.Status));
        Assert.DoesNotContain("limit", requests[^1].Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Namespaces_are_listed_in_pages_too()
    {
        for (var i = 0; i < 5; i++) _cluster.Api.Seed(ClusterHarness.NamespaceObject($"team-{i}", new Dictionary<string, string> { ["tier"] = "1" }));
        var expected = _cluster.Api.List("", "namespaces", null).Select(n => n["metadata"]!["name"]!.ToString()).ToList();

        var list = await new NamespaceListWatch(_cluster.Client("admin"), pageSize: 2).ListAsync(CancellationToken.None);

        Assert.Equal(expected, list.Items.Select(i => ObjectFields.Name(i)));
        Assert.True(expected.Count > 6, string.Join(", ", expected));
        var requests = _cluster.Api.Requests.Where(r => r.Method == "GET" && r.Path == "/api/v1/namespaces").ToList();
        Assert.Equal((expected.Count + 1) / 2, requests.Count);
    }
}
