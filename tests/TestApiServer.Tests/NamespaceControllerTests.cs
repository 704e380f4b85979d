namespace Admission.TestApiServer.Tests;

/// <summary>
/// Namespace deletion as kube-apiserver's namespace registry and kube-controller-manager's namespace
/// controller do it (pkg/registry/core/namespace/storage/storage.go,
/// pkg/controller/namespace/deletion/namespaced_resources_deleter.go and status_condition_utils.go).
/// </summary>
public sealed class NamespaceControllerTests() : ControllerTest(
    new TestApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200), ControllerMaxRetryDelay = TimeSpan.FromMilliseconds(200) },
    new Dictionary<string, string> { ["approvals.admission.dev/tier"] = "1" })
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _server.Seed(Servers.Deployment("payments", "web"));
        _server.Seed(Servers.Deployment("payments", "api"));
        _server.Seed(ConfigMap("settings"));
    }

    [Fact]
    public async Task Delete_marks_the_namespace_Terminating_then_each_object_is_deleted_through_admission_and_the_namespace_goes()
    {
        _server.Seed(Webhooks.Configuration("watch.admission.dev", Webhooks.Url(_webhook), ["*"], operations: ["DELETE"]));
        var (code, body, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Delete, "/api/v1/namespaces/payments");

        Assert.Equal(200, code);
        Assert.Equal("Namespace", body!["kind"]!.ToString());
        Assert.NotNull(body["metadata"]!["deletionTimestamp"]);
        Assert.Equal("Terminating", body["status"]!["phase"]!.ToString());
        await Until(() => _server.Get("", "namespaces", null, "payments") is null, "the namespace to go");

        Assert.Null(_server.Get("apps", "deployments", "payments", "web"));
        Assert.Null(_server.Get("", "configmaps", "payments", "settings"));
        var reviews = _webhook.Requests.ToArray();
        var own = Assert.Single(reviews, r => r["resource"]!["resource"]!.ToString() == "namespaces");
        Assert.Equal("admin", own["userInfo"]!["username"]!.ToString());
        var items = reviews.Where(r => r["resource"]!["resource"]!.ToString() != "namespaces").ToList();
        Assert.Equal(["api", "settings", "web"], items.Select(r => r["oldObject"]!["metadata"]!["name"]!.ToString()).Order().ToArray());
        Assert.All(items, review =>
        {
            // Each item of a deletecollection is admitted with the collection's (empty) name.
            Assert.Null(review["name"]);
            Assert.Equal("payments", review["namespace"]!.ToString());
            Assert.Equal("DELETE", review["operation"]!.ToString());
            Assert.Null(review["object"]);
            Assert.Equal(ControllerAccounts.Namespace, review["userInfo"]!["username"]!.ToString());
            Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
                review["userInfo"]!["groups"]!.AsArray().Select(g => g!.ToString()).ToArray());
            Assert.Equal("Background", review["options"]!["propagationPolicy"]!.ToString());
        });
        var removal = _server.Changes.Last(c => c.Resource == "namespaces");
        Assert.Equal(("DELETED", ControllerAccounts.Namespace), (removal.Type, removal.Username));
    }

    [Fact]
    public async Task A_refused_content_deletion_leaves_the_namespace_Terminating_with_kube_apiservers_condition_until_admission_allows_it()
    {
        _server.Seed(Webhooks.Configuration("guard.admission.dev", Webhooks.Url(_webhook), ["deployments"], operations: ["DELETE"]));
        _webhook.Respond = review => review["userInfo"]!["username"]!.ToString() == ControllerAccounts.Namespace
            ? TestWebhook.Deny("namespace payments is Tier-1")
            : TestWebhook.Allow();
        var (code, _, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Delete, "/api/v1/namespaces/payments");
        Assert.Equal(200, code);

        var condition = await Condition("NamespaceDeletionContentFailure", c => c?["status"]?.ToString() == "True");
        Assert.Equal("ContentDeletionFailed", condition["reason"]!.ToString());
        Assert.Equal("Failed to delete all resource types, 1 remaining: admission webhook \"guard.admission.dev\" denied the request: namespace payments is Tier-1",
            condition["message"]!.ToString());
        var ns = _server.Get("", "namespaces", null, "payments")!;
        Assert.Equal("Terminating", ns["status"]!["phase"]!.ToString());
        Assert.Equal(["NamespaceDeletionDiscoveryFailure", "NamespaceDeletionGroupVersionParsingFailure", "NamespaceDeletionContentFailure",
            "NamespaceContentRemaining", "NamespaceFinalizersRemaining"], ns["status"]!["conditions"]!.AsArray().Select(c => c!["type"]!.ToString()).ToArray());
        Assert.Equal("False", ns["status"]!["conditions"]![3]!["status"]!.ToString());
        Assert.Equal("ContentRemoved", ns["status"]!["conditions"]![3]!["reason"]!.ToString());
        // Other types are emptied even so; the first refusal stops only its own type.
        Assert.Null(_server.Get("", "configmaps", "payments", "settings"));
        // One worker, items in order: after "api" is refused, "web" is never tried.
        Assert.Equal(["api"], _webhook.Requests.Where(r => r["userInfo"]!["username"]!.ToString() == ControllerAccounts.Namespace)
            .Select(r => r["oldObject"]!["metadata"]!["name"]!.ToString()).Distinct().ToArray());
        Assert.NotNull(_server.Get("apps", "deployments", "payments", "web"));
        Assert.Equal(ControllerAccounts.Namespace, _server.Changes.Last(c => c.Resource == "namespaces" && c.Subresource == "status").Username);

        // NamespaceLifecycle: nothing new may be created while it terminates.
        var (created, refusal, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Post, "/api/v1/namespaces/payments/configmaps", ConfigMap("late"));
        Assert.Equal(403, created);
        Assert.Equal("configmaps \"late\" is forbidden: unable to create new content in namespace payments because it is being terminated",
            refusal!["message"]!.ToString());
        Assert.Equal("NamespaceTerminating", refusal["details"]!["causes"]![0]!["reason"]!.ToString());

        // A second DELETE answers with the namespace as it is, and admission is not asked.
        var before = _webhook.Requests.Count(r => r["resource"]!["resource"]!.ToString() == "namespaces");
        var (again, againBody, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Delete, "/api/v1/namespaces/payments");
        Assert.Equal(200, again);
        Assert.Equal("Terminating", againBody!["status"]!["phase"]!.ToString());
        Assert.Equal(before, _webhook.Requests.Count(r => r["resource"]!["resource"]!.ToString() == "namespaces"));

        _webhook.Respond = _ => TestWebhook.Allow();
        await Until(() => _server.Get("", "namespaces", null, "payments") is null, "the namespace to go once admission allows it");
    }

    [Fact]
    public async Task A_dry_run_delete_is_admitted_and_answers_the_marked_namespace_but_changes_nothing()
    {
        var rv = _server.ResourceVersion;
        var (code, body, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Delete, "/api/v1/namespaces/payments?dryRun=All");
        Assert.Equal(200, code);
        Assert.Equal("Terminating", body!["status"]!["phase"]!.ToString());
        Assert.Equal(rv, _server.ResourceVersion);
        Assert.Equal("Active", _server.Get("", "namespaces", null, "payments")!["status"]!["phase"]!.ToString());
    }

    private async Task<JsonObject> Condition(string type, Func<JsonObject?, bool> done)
    {
        JsonObject? Find() => _server.Get("", "namespaces", null, "payments")?["status"]?["conditions"]?.AsArray()
            .OfType<JsonObject>().FirstOrDefault(c => c["type"]?.ToString() == type);
        await Until(() => done(Find()), $"condition {type}");
        return Find()!;
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    private static JsonObject ConfigMap(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "payments" },
        ["data"] = new JsonObject { ["k"] = "v" },
    };
}
