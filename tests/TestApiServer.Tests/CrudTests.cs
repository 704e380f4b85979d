namespace Admission.TestApiServer.Tests;

public sealed class CrudTests : IAsyncLifetime
{
    private TestApiServer _server = null!;
    private Kubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _server = await Servers.StartAsync();
        _client = _server.CreateClient(Servers.Alice);
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "payments" } });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Typed_deployment_round_trip_with_conflict_on_stale_resource_version()
    {
        var created = await _client.AppsV1.CreateNamespacedDeploymentAsync(Typed(), "payments");
        Assert.Equal(1, created.Metadata.Generation);
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));

        var read = await _client.AppsV1.ReadNamespacedDeploymentAsync("web", "payments");
        read.Spec.Template.Spec.Containers[0].Image = "nginx:2";
        var updated = await _client.AppsV1.ReplaceNamespacedDeploymentAsync(read, "web", "payments");
        Assert.Equal(2, updated.Metadata.Generation);
        Assert.True(long.Parse(updated.Metadata.ResourceVersion) > long.Parse(created.Metadata.ResourceVersion));

        // `read` still carries the old resourceVersion.
        read.Spec.Replicas = 7;
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.AppsV1.ReplaceNamespacedDeploymentAsync(read, "web", "payments"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
        var status = JsonNode.Parse(conflict.Response.Content)!;
        Assert.Equal("Conflict", status["reason"]!.ToString());
        Assert.Equal(409, status["code"]!.GetValue<int>());
        Assert.Contains("the object has been modified", status["message"]!.ToString());

        var list = await _client.AppsV1.ListNamespacedDeploymentAsync("payments");
        Assert.Equal("nginx:2", Assert.Single(list.Items).Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(_server.ResourceVersion.ToString(), list.Metadata.ResourceVersion);

        await _client.AppsV1.DeleteNamespacedDeploymentAsync("web", "payments");
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => _client.AppsV1.ReadNamespacedDeploymentAsync("web", "payments"));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
        Assert.Equal("deployments.apps \"web\" not found", Message(gone));
    }

    [Fact]
    public async Task Create_twice_is_AlreadyExists_and_create_in_a_missing_namespace_is_NotFound()
    {
        await _client.AppsV1.CreateNamespacedDeploymentAsync(Typed(), "payments");
        var again = await Assert.ThrowsAsync<HttpOperationException>(() => _client.AppsV1.CreateNamespacedDeploymentAsync(Typed(), "payments"));
        Assert.Equal(HttpStatusCode.Conflict, again.Response.StatusCode);
        Assert.Equal("AlreadyExists", JsonNode.Parse(again.Response.Content)!["reason"]!.ToString());

        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => _client.AppsV1.CreateNamespacedDeploymentAsync(Typed("nowhere"), "nowhere"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        Assert.Equal("namespaces \"nowhere\" not found", Message(missing));
    }

    [Fact]
    public async Task GenericClient_changeapproval_crud_applies_crd_defaults_and_detects_conflicts()
    {
        using var approvals = new GenericClient(_client, "approvals.admission.dev", "v1alpha1", "changeapprovals", disposeClient: false);
        var body = Servers.ChangeApproval("payments", "web-1");
        var created = await approvals.CreateNamespacedAsync(Deserialize(body), "payments");
        Assert.Equal("apps", created.Spec!["target"]!["apiGroup"]!.ToString());
        Assert.Equal("[\"CREATE\",\"UPDATE\"]", created.Spec["operations"]!.ToJsonString());
        Assert.Equal(1, created.Metadata.Generation);

        var explicitCore = Servers.ChangeApproval("payments", "web-2");
        explicitCore["spec"]!["target"]!["apiGroup"] = "";
        explicitCore["spec"]!["operations"] = new JsonArray("DELETE");
        var core = await approvals.CreateNamespacedAsync(Deserialize(explicitCore), "payments");
        Assert.Equal("", core.Spec!["target"]!["apiGroup"]!.ToString());
        Assert.Equal("[\"DELETE\"]", core.Spec["operations"]!.ToJsonString());

        var read = await approvals.ReadNamespacedAsync<ChangeApproval>("payments", "web-1");
        read.Spec!["approvals"] = new JsonArray(new JsonObject { ["approver"] = "bob", ["approvedAt"] = "2030-01-01T00:00:00Z" });
        var replaced = await approvals.ReplaceNamespacedAsync(read, "payments", "web-1");
        Assert.Equal(2, replaced.Metadata.Generation);

        read.Metadata.Labels = new Dictionary<string, string> { ["stale"] = "write" };
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => approvals.ReplaceNamespacedAsync(read, "payments", "web-1"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);

        var list = await approvals.ListNamespacedAsync<ChangeApprovalList>("payments");
        Assert.Equal(["web-1", "web-2"], list.Items.Select(i => i.Metadata.Name).ToArray());

        await approvals.DeleteNamespacedAsync<ChangeApproval>("payments", "web-1");
        list = await approvals.ListNamespacedAsync<ChangeApprovalList>("payments");
        Assert.Equal("web-2", Assert.Single(list.Items).Metadata.Name);
    }

    [Fact]
    public async Task GenericClient_watches_changeapprovals_across_namespaces()
    {
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        using var approvals = new GenericClient(_client, "approvals.admission.dev", "v1alpha1", "changeapprovals", disposeClient: false);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var seen = new List<string>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, item) in approvals.WatchAsync<ChangeApproval>(cancel: stop.Token))
            {
                seen.Add($"{type} {item.Metadata.NamespaceProperty}/{item.Metadata.Name}");
                if (seen.Count == 2)
                {
                    return;
                }
            }
        });
        await WaitForWatch();
        await approvals.CreateNamespacedAsync(Deserialize(Servers.ChangeApproval("payments", "a")), "payments");
        await approvals.CreateNamespacedAsync(Deserialize(Servers.ChangeApproval("shop", "b")), "shop");
        await watching.WaitAsync(stop.Token);
        Assert.Equal(["Added payments/a", "Added shop/b"], seen);
    }

    [Fact]
    public async Task The_request_log_records_method_path_user_and_status()
    {
        await _client.CoreV1.ReadNamespaceAsync("payments");
        using var anonymous = _server.CreateHttpClient(null);
        await anonymous.GetAsync("/api/v1/namespaces/payments");
        var records = _server.Requests.Where(r => r.Path == "/api/v1/namespaces/payments").ToList();
        Assert.Equal([("GET", "alice", 200), ("GET", null, 401)], records.Select(r => (r.Method, r.User, r.Status)).ToArray());
    }

    // Each selector with the ConfigMaps it picks of a (tier 1), b (tier 2, team x) and c (team x), by kind of requirement.
    public static TheoryData<string, string> Selectors => new()
    {
        { "tier=1", "a" }, { "tier==1", "a" }, { "tier!=1", "b,c" },   // equality, both spellings, and inequality
        { "tier in (1,2)", "a,b" }, { "tier notin (1)", "b,c" },        // sets
        { "tier", "a,b" }, { "!tier", "c" },                            // existence
        { "tier=2,team=x", "b" },                                       // every requirement must hold
    };

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task Label_selectors_filter_lists(string selector, string expected)
    {
        await Seed("a", new() { ["tier"] = "1" });
        await Seed("b", new() { ["tier"] = "2", ["team"] = "x" });
        await Seed("c", new() { ["team"] = "x" });
        var list = await _client.CoreV1.ListNamespacedConfigMapAsync("payments", labelSelector: selector);
        Assert.Equal(expected, string.Join(",", list.Items.Select(i => i.Metadata.Name)));
    }

    [Fact]
    public async Task Field_selectors_and_all_namespace_lists()
    {
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "other" } });
        await Seed("a", []);
        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "a" } }, "other");
        var all = await _client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: "metadata.name=a");
        Assert.Equal(["other", "payments"], all.Items.Select(i => i.Metadata.NamespaceProperty).Order().ToArray());
        var one = await _client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: "metadata.name=a,metadata.namespace=other");
        Assert.Equal("other", Assert.Single(one.Items).Metadata.NamespaceProperty);
    }

    [Fact]
    public async Task GenerateName_makes_a_unique_name()
    {
        var map = new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "cfg-" } };
        var first = await _client.CoreV1.CreateNamespacedConfigMapAsync(map, "payments");
        var second = await _client.CoreV1.CreateNamespacedConfigMapAsync(map, "payments");
        Assert.StartsWith("cfg-", first.Metadata.Name);
        Assert.Equal(9, first.Metadata.Name.Length);
        Assert.NotEqual(first.Metadata.Name, second.Metadata.Name);
    }

    [Fact]
    public async Task Dry_run_create_update_and_delete_store_nothing()
    {
        var before = _server.ResourceVersion;
        var dry = await _client.AppsV1.CreateNamespacedDeploymentAsync(Typed(), "payments", dryRun: "All");
        Assert.Equal("web", dry.Metadata.Name);
        Assert.Equal(before, _server.ResourceVersion);
        Assert.Empty((await _client.AppsV1.ListNamespacedDeploymentAsync("payments")).Items);

        var real = await _client.AppsV1.CreateNamespacedDeploymentAsync(Typed(), "payments");
        real.Spec.Replicas = 9;
        await _client.AppsV1.ReplaceNamespacedDeploymentAsync(real, "web", "payments", dryRun: "All");
        await _client.AppsV1.DeleteNamespacedDeploymentAsync("web", "payments", dryRun: "All");
        var stored = await _client.AppsV1.ReadNamespacedDeploymentAsync("web", "payments");
        Assert.Equal(real.Metadata.ResourceVersion, stored.Metadata.ResourceVersion);
        Assert.Equal(1, stored.Spec.Replicas);
    }

    [Fact]
    public async Task Unknown_tokens_get_401_and_selfsubjectreview_returns_the_caller()
    {
        using var anonymous = _server.CreateHttpClient(null);
        var response = await anonymous.GetAsync("/api/v1/namespaces");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Unauthorized", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["reason"]!.ToString());

        using var bob = _server.CreateClient(Servers.Bob);
        var review = await bob.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview());
        Assert.Equal("bob", review.Status.UserInfo.Username);
        Assert.Equal(["tier1-approvers", "system:authenticated"], review.Status.UserInfo.Groups.ToArray());
        Assert.Equal(["payments"], review.Status.UserInfo.Extra["team"].ToArray());
    }

    [Fact]
    public async Task Authorization_hook_refuses_with_a_kubernetes_style_403()
    {
        _server.Authorize = a => !(a.User.Username == "alice" && a.Verb == "delete");
        await Seed("a", []);
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.DeleteNamespacedConfigMapAsync("a", "payments"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);
        Assert.Equal("configmaps \"a\" is forbidden: User \"alice\" cannot delete resource \"configmaps\" in API group \"\" in the namespace \"payments\"", Message(refused));

        var access = await _client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview
        {
            Spec = new V1SelfSubjectAccessReviewSpec { ResourceAttributes = new V1ResourceAttributes { Verb = "delete", Resource = "configmaps" } },
        });
        Assert.False(access.Status.Allowed);
    }

    [Fact]
    public async Task Deleting_a_namespace_removes_its_objects()
    {
        await Seed("a", []);
        await _client.CoreV1.DeleteNamespaceAsync("payments");
        // The namespace controller empties and removes it in the background (NamespaceControllerTests).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_server.Get("", "namespaces", null, "payments") is not null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Empty((await _client.CoreV1.ListConfigMapForAllNamespacesAsync()).Items);
        Assert.DoesNotContain("payments", (await _client.CoreV1.ListNamespaceAsync()).Items.Select(n => n.Metadata.Name));
    }

    private async Task WaitForWatch()
    {
        for (var i = 0; i < 100 && _server.WatchCount == 0; i++)
        {
            await Task.Delay(20);
        }
    }

    private Task<V1ConfigMap> Seed(string name, Dictionary<string, string> labels) =>
        _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, Labels = labels } }, "payments");

    private static V1Deployment Typed(string ns = "payments") =>
        KubernetesJson.Deserialize<V1Deployment>(Servers.Deployment(ns, "web").ToJsonString());

    private static string Message(HttpOperationException e) => JsonNode.Parse(e.Response.Content)!["message"]!.ToString();

    private static ChangeApproval Deserialize(JsonObject body) => KubernetesJson.Deserialize<ChangeApproval>(body.ToJsonString());
}
