namespace Admission.TestApiServer.Tests;

/// <summary>
/// Bookmarks at the cacher's cadence (k8s.io/apiserver/pkg/storage/cacher: defaultBookmarkFrequency a
/// minute, cacheWatcher.nextBookmarkTime): about once a minute, and one 2 s before the watch times out.
/// </summary>
public sealed class BookmarkCadenceTests
{
    [Fact]
    public void The_default_cadence_is_kube_apiservers_minute() =>
        Assert.Equal(TimeSpan.FromMinutes(1), new TestApiServerOptions().BookmarkInterval);

    [Fact]
    public async Task At_the_default_cadence_a_short_watch_gets_one_bookmark_2s_before_its_timeout_and_nothing_else()
    {
        await using var server = await Servers.StartAsync(new TestApiServerOptions());
        server.Seed(Servers.Namespace("payments"));
        var rv = server.ResourceVersion;
        var opened = DateTime.UtcNow;
        await using var watch = await RawWatch.OpenAsync(server, Servers.Alice,
            $"/api/v1/namespaces/payments/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion={rv}&timeoutSeconds=4");

        var bookmark = await watch.NextAsync(TimeSpan.FromSeconds(10));
        var after = DateTime.UtcNow - opened;
        Assert.Equal("BOOKMARK", bookmark?["type"]?.ToString());
        Assert.InRange(after, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(3.9));
        Assert.Null(await watch.NextAsync(TimeSpan.FromSeconds(10)));
        await watch.Ended.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_test_that_asks_for_a_faster_cadence_gets_it()
    {
        await using var server = await Servers.StartAsync(new TestApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) });
        server.Seed(Servers.Namespace("payments"));
        await using var watch = await RawWatch.OpenAsync(server, Servers.Alice,
            $"/api/v1/namespaces/payments/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion={server.ResourceVersion}");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("BOOKMARK", (await watch.NextAsync(TimeSpan.FromSeconds(5)))?["type"]?.ToString());
        }
    }
}
