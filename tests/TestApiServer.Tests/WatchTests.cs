namespace Admission.TestApiServer.Tests;

public sealed class WatchTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private TestApiServer _server = null!;
    private Kubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _server = await Servers.StartAsync();
        _server.Seed(Servers.Namespace("payments"));
        _client = _server.CreateClient(Servers.Alice);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Watch_from_a_list_resource_version_replays_and_follows_later_events_in_order()
    {
        await CreateMap("a");
        var listed = await _client.CoreV1.ListNamespacedConfigMapAsync("payments");
        await Patch("a", "1");
        await CreateMap("b");

        using var stop = new CancellationTokenSource(Wait);
        var seen = new List<(WatchEventType Type, string Name, long Rv)>();
        var watch = _client.CoreV1.WatchListNamespacedConfigMapAsync("payments", resourceVersion: listed.Metadata.ResourceVersion,
            cancellationToken: stop.Token);
        await foreach (var (type, item) in watch)
        {
            seen.Add((type, item.Metadata.Name, long.Parse(item.Metadata.ResourceVersion)));
            if (seen.Count == 2)
            {
                await _client.CoreV1.DeleteNamespacedConfigMapAsync("a", "payments");
            }

            if (seen.Count == 3)
            {
                break;
            }
        }

        Assert.Equal([(WatchEventType.Modified, "a"), (WatchEventType.Added, "b"), (WatchEventType.Deleted, "a")],
            seen.Select(s => (s.Type, s.Name)).ToArray());
        Assert.True(seen[0].Rv < seen[1].Rv && seen[1].Rv < seen[2].Rv);
        Assert.True(seen[0].Rv > long.Parse(listed.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task Watch_without_a_resource_version_starts_with_the_current_objects()
    {
        await CreateMap("a");
        await using var watch = await RawWatch.OpenAsync(_server, Servers.Alice, "/api/v1/namespaces/payments/configmaps?watch=true");
        var first = await watch.NextAsync(Wait);
        Assert.Equal("ADDED", first!["type"]!.ToString());
        Assert.Equal("a", first["object"]!["metadata"]!["name"]!.ToString());
    }

    [Fact]
    public async Task Bookmarks_arrive_with_the_latest_resource_version_and_deserialize_in_KubernetesClient()
    {
        var listed = await _client.CoreV1.ListNamespacedConfigMapAsync("payments");
        await CreateMap("elsewhere-irrelevant");
        using var stop = new CancellationTokenSource(Wait);
        var watch = _client.CoreV1.WatchListNamespacedConfigMapAsync("payments", resourceVersion: listed.Metadata.ResourceVersion,
            allowWatchBookmarks: true, cancellationToken: stop.Token);
        V1ConfigMap? bookmark = null;
        await foreach (var (type, item) in watch)
        {
            if (type == WatchEventType.Bookmark)
            {
                bookmark = item;
                break;
            }
        }

        Assert.NotNull(bookmark);
        Assert.Equal(_server.ResourceVersion.ToString(), bookmark.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Expiring_resource_versions_sends_410_to_open_watches_and_refuses_old_ones()
    {
        var old = (await _client.CoreV1.ListNamespacedConfigMapAsync("payments")).Metadata.ResourceVersion;
        await CreateMap("a");
        await using var open = await RawWatch.OpenAsync(_server, Servers.Alice, $"/api/v1/namespaces/payments/configmaps?watch=true&resourceVersion={old}");
        Assert.Equal("ADDED", (await open.NextAsync(Wait))!["type"]!.ToString());

        _server.ExpireResourceVersions();
        var error = await open.NextAsync(Wait);
        Assert.Equal("ERROR", error!["type"]!.ToString());
        Assert.Equal(410, error["object"]!["code"]!.GetValue<int>());
        Assert.Equal("Expired", error["object"]!["reason"]!.ToString());
        await open.Ended.WaitAsync(Wait);

        await using var stale = await RawWatch.OpenAsync(_server, Servers.Alice, $"/api/v1/namespaces/payments/configmaps?watch=true&resourceVersion={old}");
        Assert.Equal(HttpStatusCode.OK, stale.Response.StatusCode);
        var refused = await stale.NextAsync(Wait);
        Assert.Equal(410, refused!["object"]!["code"]!.GetValue<int>());
        Assert.StartsWith("too old resource version", refused["object"]!["message"]!.ToString());

        // What a client does next, relist and watch from the list, works.
        var relisted = (await _client.CoreV1.ListNamespacedConfigMapAsync("payments")).Metadata.ResourceVersion;
        await using var fresh = await RawWatch.OpenAsync(_server, Servers.Alice, $"/api/v1/namespaces/payments/configmaps?watch=true&resourceVersion={relisted}");
        await CreateMap("b");
        Assert.Equal("ADDED", (await fresh.NextAsync(Wait))!["type"]!.ToString());
    }

    [Fact]
    public async Task KubernetesClient_reports_410_through_onError_and_the_watch_ends()
    {
        var old = (await _client.CoreV1.ListNamespacedConfigMapAsync("payments")).Metadata.ResourceVersion;
        await CreateMap("a");
        _server.ExpireResourceVersions();
        using var stop = new CancellationTokenSource(Wait);
        var errors = new List<Exception>();
        var events = 0;
        await foreach (var _ in _client.CoreV1.WatchListNamespacedConfigMapAsync("payments", resourceVersion: old, onError: errors.Add, cancellationToken: stop.Token))
        {
            events++;
        }

        Assert.Equal(0, events);
        Assert.Equal(410, Assert.IsType<KubernetesException>(Assert.Single(errors)).Status.Code);
    }

    [Fact]
    public async Task A_resource_version_older_than_the_history_window_is_gone()
    {
        await using var server = await Servers.StartAsync(new TestApiServerOptions { HistoryWindow = 3 });
        server.Seed(Servers.Namespace("payments"));
        var start = server.ResourceVersion;
        for (var i = 0; i < 5; i++)
        {
            server.Seed(ConfigMap($"m{i}"));
        }

        await using var tooOld = await RawWatch.OpenAsync(server, Servers.Alice, $"/api/v1/namespaces/payments/configmaps?watch=true&resourceVersion={start}");
        Assert.Equal("ERROR", (await tooOld.NextAsync(Wait))!["type"]!.ToString());

        await using var recent = await RawWatch.OpenAsync(server, Servers.Alice, $"/api/v1/namespaces/payments/configmaps?watch=true&resourceVersion={server.ResourceVersion - 2}");
        Assert.Equal("m3", (await recent.NextAsync(Wait))!["object"]!["metadata"]!["name"]!.ToString());
        Assert.Equal("m4", (await recent.NextAsync(Wait))!["object"]!["metadata"]!["name"]!.ToString());
    }

    [Fact]
    public async Task Stalled_watches_send_nothing_until_released()
    {
        var rv = _server.ResourceVersion;
        await using var watch = await RawWatch.OpenAsync(_server, Servers.Alice,
            $"/api/v1/namespaces/payments/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion={rv}");
        await watch.NextOfTypeAsync("BOOKMARK", Wait);
        _server.StallWatches = true;
        await Task.Delay(300);
        while (await watch.NextAsync(TimeSpan.FromMilliseconds(50)) is not null)
        {
        }

        await CreateMap("a");
        Assert.Null(await watch.NextAsync(TimeSpan.FromMilliseconds(800)));
        Assert.False(watch.Ended.IsCompleted);

        _server.StallWatches = false;
        var added = await watch.NextOfTypeAsync("ADDED", Wait);
        Assert.Equal("a", added["object"]!["metadata"]!["name"]!.ToString());
    }

    [Fact]
    public async Task CloseWatches_ends_streams_cleanly()
    {
        await using var watch = await RawWatch.OpenAsync(_server, Servers.Alice, $"/api/v1/namespaces/payments/configmaps?watch=true&resourceVersion={_server.ResourceVersion}");
        await WaitUntil(() => _server.WatchCount == 1);
        _server.CloseWatches();
        await watch.Ended.WaitAsync(Wait);
        Assert.Equal(0, _server.WatchCount);
    }

    [Fact]
    public async Task TimeoutSeconds_ends_the_stream()
    {
        await using var watch = await RawWatch.OpenAsync(_server, Servers.Alice, $"/api/v1/namespaces/payments/configmaps?watch=1&timeoutSeconds=1&resourceVersion={_server.ResourceVersion}");
        await watch.Ended.WaitAsync(Wait);
        // Ended by the server as a normal end of a 200 stream, with no event, not by a fault.
        Assert.Equal(HttpStatusCode.OK, watch.Response.StatusCode);
        Assert.True(watch.Ended.IsCompletedSuccessfully);
        Assert.Null(await watch.NextAsync(Wait));
    }

    [Fact]
    public async Task Label_selector_watches_see_objects_enter_and_leave_the_selection()
    {
        await using var watch = await RawWatch.OpenAsync(_server, Servers.Alice,
            $"/api/v1/namespaces/payments/configmaps?watch=true&labelSelector=tier%3D1&resourceVersion={_server.ResourceVersion}");
        await CreateMap("a");
        await PatchLabels("a", "1");
        await PatchLabels("a", "2");
        Assert.Equal("ADDED", (await watch.NextAsync(Wait))!["type"]!.ToString());
        Assert.Equal("DELETED", (await watch.NextAsync(Wait))!["type"]!.ToString());
    }

    [Fact]
    public async Task Stop_refuses_connections_and_cuts_watches_then_start_serves_the_same_data_on_the_same_port()
    {
        await CreateMap("a");
        var port = _server.Port;
        await using var watch = await RawWatch.OpenAsync(_server, Servers.Alice, $"/api/v1/namespaces/payments/configmaps?watch=true&resourceVersion={_server.ResourceVersion}");
        await WaitUntil(() => _server.WatchCount == 1);

        await _server.StopAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => watch.Ended.WaitAsync(Wait));
        await Assert.ThrowsAsync<HttpRequestException>(() => _client.CoreV1.ListNamespacedConfigMapAsync("payments"));

        await _server.StartAsync();
        Assert.Equal(port, _server.Port);
        Assert.Equal("a", Assert.Single((await _client.CoreV1.ListNamespacedConfigMapAsync("payments")).Items).Metadata.Name);
    }

    private static JsonObject ConfigMap(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "payments" },
    };

    private Task<V1ConfigMap> CreateMap(string name) =>
        _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name } }, "payments");

    private Task<V1ConfigMap> Patch(string name, string value) =>
        _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch($$$"""{"data":{"k":"{{{value}}}"}}""", V1Patch.PatchType.MergePatch), name, "payments");

    private Task<V1ConfigMap> PatchLabels(string name, string tier) =>
        _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"labels\":{\"tier\":\"" + tier + "\"}}}", V1Patch.PatchType.MergePatch), name, "payments");

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException();
            }

            await Task.Delay(20);
        }
    }
}
