namespace Admission.TestApiServer.Tests;

/// <summary>Background garbage collection of ownerReferences (pkg/controller/garbagecollector), through admission.</summary>
public sealed class GarbageCollectorTests() : ControllerTest(
    new TestApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200), ControllerMaxRetryDelay = TimeSpan.FromMilliseconds(200) })
{
    [Fact]
    public async Task Deleting_an_owner_deletes_its_dependents_through_admission_as_the_garbage_collector()
    {
        var owner = _server.Seed(Servers.Deployment("payments", "web"));
        _server.Seed(OwnedConfigMap("web-config", owner));
        _server.Seed(Webhooks.Configuration("watch.admission.dev", Webhooks.Url(_webhook), ["configmaps"], operations: ["DELETE"]));

        var (code, _, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Delete, "/apis/apps/v1/namespaces/payments/deployments/web");
        Assert.Equal(200, code);
        await Until(() => _server.Get("", "configmaps", "payments", "web-config") is null, "the dependent to go");

        var review = Assert.Single(_webhook.Requests);
        Assert.Equal("web-config", review["name"]!.ToString());
        Assert.Equal(ControllerAccounts.GarbageCollector, review["userInfo"]!["username"]!.ToString());
        Assert.Equal("Background", review["options"]!["propagationPolicy"]!.ToString());
        Assert.Equal(review["oldObject"]!["metadata"]!["uid"]!.ToString(), review["options"]!["preconditions"]!["uid"]!.ToString());
        Assert.Equal(ControllerAccounts.GarbageCollector, _server.Changes.Last(c => c.Name == "web-config").Username);
    }

    [Fact]
    public async Task A_refused_collection_is_retried_until_admission_allows_it()
    {
        var owner = _server.Seed(Servers.Deployment("payments", "web"));
        _server.Seed(OwnedConfigMap("web-config", owner));
        _server.Seed(Webhooks.Configuration("guard.admission.dev", Webhooks.Url(_webhook), ["configmaps"], operations: ["DELETE"]));
        _webhook.Respond = _ => TestWebhook.Deny("not yet");
        await _server.SendAsync(Servers.Admin, HttpMethod.Delete, "/apis/apps/v1/namespaces/payments/deployments/web");
        await Until(() => _webhook.Requests.Count >= 3, "the collector to retry");
        Assert.NotNull(_server.Get("", "configmaps", "payments", "web-config"));

        _webhook.Respond = _ => TestWebhook.Allow();
        await Until(() => _server.Get("", "configmaps", "payments", "web-config") is null, "the dependent to go once allowed");
    }

    [Fact]
    public async Task A_dependent_with_an_owner_left_stays_and_one_whose_owners_never_existed_goes()
    {
        var web = _server.Seed(Servers.Deployment("payments", "web"));
        var api = _server.Seed(Servers.Deployment("payments", "api"));
        var shared = OwnedConfigMap("shared", web);
        shared["metadata"]!["ownerReferences"]!.AsArray().Add(Reference(api));
        _server.Seed(shared);
        var ghost = Servers.Deployment("payments", "ghost");
        ghost["metadata"]!["uid"] = "00000000-0000-0000-0000-000000000000";
        _server.Seed(OwnedConfigMap("orphan", ghost));

        await _server.SendAsync(Servers.Admin, HttpMethod.Delete, "/apis/apps/v1/namespaces/payments/deployments/web");
        await Until(() => _server.Get("", "configmaps", "payments", "orphan") is null, "the dependent of a missing owner to go");
        Assert.NotNull(_server.Get("", "configmaps", "payments", "shared"));

        await _server.SendAsync(Servers.Admin, HttpMethod.Delete, "/apis/apps/v1/namespaces/payments/deployments/api");
        await Until(() => _server.Get("", "configmaps", "payments", "shared") is null, "the dependent to go with its last owner");
    }

    private static JsonObject OwnedConfigMap(string name, JsonObject owner) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "payments", ["ownerReferences"] = new JsonArray(Reference(owner)) },
    };

    private static JsonObject Reference(JsonObject owner) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["name"] = owner["metadata"]!["name"]!.ToString(),
        ["uid"] = owner["metadata"]!["uid"]!.ToString(),
    };

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
