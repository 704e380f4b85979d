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
}
