namespace Admission.TestApiServer.Tests;

/// <summary>
/// limit and continue as kube-apiserver serves them from etcd: pages in key order, every page as of
/// the first page's resourceVersion, remainingItemCount without selectors, 410 Expired once that
/// version is compacted.
/// </summary>
public sealed class ListPagingTests : IAsyncLifetime
{
    private TestApiServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await Servers.StartAsync();
        _server.Seed(Servers.Namespace("payments"));
        _server.Seed(Servers.Namespace("ledger"));
        // Seeded out of key order, in two namespaces.
        foreach (var name in (string[])["c", "a", "e", "b", "d"]) _server.Seed(ConfigMap("payments", name));
        _server.Seed(ConfigMap("ledger", "z"));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static JsonObject ConfigMap(string ns, string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = new JsonObject { ["app"] = "web" } },
    };

    private static string[] Names(JsonNode list) => [.. list["items"]!.AsArray().Select(i => i!["metadata"]!["namespace"] + "/" + i["metadata"]!["name"])];

    private async Task<JsonNode> GetAsync(string path, int expected = 200)
    {
        var (status, body, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Get, path);
        Assert.True(status == expected, $"{path}: {status} {body}");
        return body!;
    }

    [Fact]
    public async Task Pages_come_in_key_order_at_the_first_pages_resource_version_and_see_nothing_written_since()
    {
        var first = await GetAsync("/api/v1/configmaps?limit=2");
        var rv = first["metadata"]!["resourceVersion"]!.ToString();
        Assert.Equal(["ledger/z", "payments/a"], Names(first));
        Assert.Equal(4, first["metadata"]!["remainingItemCount"]!.GetValue<int>());

        // Written after the first page: a later page is read as of the first page's version, as etcd serves it.
        _server.Seed(ConfigMap("payments", "bb"));
        var (deleted, _, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Delete, "/api/v1/namespaces/payments/configmaps/e");
        Assert.Equal(200, deleted);

        var second = await GetAsync($"/api/v1/configmaps?limit=2&continue={first["metadata"]!["continue"]}");
        Assert.Equal(["payments/b", "payments/c"], Names(second));
        Assert.Equal(rv, second["metadata"]!["resourceVersion"]!.ToString());
        Assert.Equal(2, second["metadata"]!["remainingItemCount"]!.GetValue<int>());

        var last = await GetAsync($"/api/v1/configmaps?limit=2&continue={second["metadata"]!["continue"]}");
        Assert.Equal(["payments/d", "payments/e"], Names(last));
        Assert.Null(last["metadata"]!["continue"]);
        Assert.Null(last["metadata"]!["remainingItemCount"]);

        // A fresh list sees the writes.
        Assert.Equal(["ledger/z", "payments/a", "payments/b", "payments/bb", "payments/c", "payments/d"], Names(await GetAsync("/api/v1/configmaps")));
    }

    [Fact]
    public async Task A_selector_pages_what_it_selects_without_counting_the_rest_and_the_typed_client_follows_continue()
    {
        var first = await GetAsync("/api/v1/namespaces/payments/configmaps?limit=3&labelSelector=app%3Dweb");
        Assert.Equal(["payments/a", "payments/b", "payments/c"], Names(first));
        Assert.Null(first["metadata"]!["remainingItemCount"]);

        using var client = _server.CreateClient(Servers.Admin);
        var names = new List<string>();
        string? next = null;
        var pages = 0;
        do
        {
            var page = await client.CoreV1.ListNamespacedConfigMapAsync("payments", limit: 2, continueParameter: next);
            names.AddRange(page.Items.Select(i => i.Metadata.Name));
            next = page.Metadata.ContinueProperty;
            pages++;
        }
        while (!string.IsNullOrEmpty(next));
        Assert.Equal(["a", "b", "c", "d", "e"], names);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task A_token_whose_version_was_compacted_is_410_Expired_and_a_forged_one_400()
    {
        var first = await GetAsync("/api/v1/configmaps?limit=2");
        _server.Seed(ConfigMap("payments", "f"));
        _server.ExpireResourceVersions(); // compacted past the first page's version, as etcd's compaction every 5 minutes would
        var expired = await GetAsync($"/api/v1/configmaps?limit=2&continue={first["metadata"]!["continue"]}", 410);
        Assert.Equal("Expired", expired["reason"]!.ToString());
        Assert.StartsWith("The provided continue parameter is too old to display a consistent list result.", expired["message"]!.ToString());

        var forged = await GetAsync("/api/v1/configmaps?limit=2&continue=bm90LWEtdG9rZW4", 400);
        Assert.Equal("BadRequest", forged["reason"]!.ToString());
        Assert.Equal(400, (await _server.SendAsync(Servers.Admin, HttpMethod.Get, "/api/v1/configmaps?limit=two")).Status);
        // No limit, or a limit of 0, is the whole list.
        Assert.Equal(7, Names(await GetAsync("/api/v1/configmaps?limit=0")).Length);
    }
}
