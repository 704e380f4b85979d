using Admission.TestApiServer.Admission;

namespace Admission.TestApiServer.Tests;

public sealed class AdmissionTests : IAsyncLifetime
{
    private const string Deployments = "/apis/apps/v1/namespaces/payments/deployments";
    private TestApiServer _server = null!;
    private TestWebhook _webhook = null!;
    private Kubernetes _alice = null!;

    public async Task InitializeAsync()
    {
        _server = await Servers.StartAsync();
        _server.Seed(Servers.Namespace("payments", new Dictionary<string, string> { ["approvals.admission.dev/tier"] = "1" }));
        _server.Seed(Servers.Namespace("sandbox"));
        _webhook = await TestWebhook.StartAsync();
        _alice = _server.CreateClient(Servers.Alice);
    }

    public async Task DisposeAsync()
    {
        _alice.Dispose();
        await _webhook.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_denial_reaches_the_client_as_kube_apiserver_returns_it_and_nothing_is_stored()
    {
        Register(Webhooks.Configuration("deny.admission.dev", Webhooks.Url(_webhook), ["deployments"]));
        _webhook.Respond = _ => TestWebhook.Deny("namespace payments is Tier-1: no ChangeApproval targets Deployment web");

        var denied = await Assert.ThrowsAsync<HttpOperationException>(() => _alice.AppsV1.CreateNamespacedDeploymentAsync(Typed(), "payments"));
        Assert.Equal(HttpStatusCode.Forbidden, denied.Response.StatusCode);
        var status = JsonNode.Parse(denied.Response.Content)!;
        Assert.Equal("Status", status["kind"]!.ToString());
        Assert.Equal("Failure", status["status"]!.ToString());
        Assert.Equal(403, status["code"]!.GetValue<int>());
        Assert.Equal("admission webhook \"deny.admission.dev\" denied the request: namespace payments is Tier-1: no ChangeApproval targets Deployment web",
            status["message"]!.ToString());
        Assert.Null(_server.Get("apps", "deployments", "payments", "web"));
    }

    [Fact]
    public async Task A_generateName_create_is_reviewed_without_a_name_and_the_object_carries_the_generated_one()
    {
        Register(Webhooks.Configuration("watch.admission.dev", Webhooks.Url(_webhook), ["configmaps"]));
        var body = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["generateName"] = "settings-" } };

        var (code, created, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, "/api/v1/namespaces/payments/configmaps", body);

        Assert.Equal(201, code);
        var review = Assert.Single(_webhook.Requests);
        Assert.Null(review["name"]);
        Assert.Equal(created!["metadata"]!["name"]!.ToString(), review["object"]!["metadata"]!["name"]!.ToString());
        Assert.StartsWith("settings-", created["metadata"]!["name"]!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(422, "Invalid", 422, "Invalid")]
    [InlineData(403, "Forbidden", 403, "Forbidden")]
    [InlineData(null, null, 400, null)]
    [InlineData(200, "Forbidden", 400, "Forbidden")]
    [InlineData(399, null, 400, null)]
    public async Task A_denial_keeps_the_webhooks_code_and_reason_but_never_a_success_code(int? code, string? reason, int expectedCode, string? expectedReason)
    {
        Register(Webhooks.Configuration("deny.admission.dev", Webhooks.Url(_webhook), ["deployments"]));
        _webhook.Respond = _ => TestWebhook.Deny("no", code, reason);
        var (status, body, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, Deployments, Servers.Deployment("payments", "web"));
        Assert.Equal(expectedCode, status);
        Assert.Equal(expectedReason, body!["reason"]?.ToString());
    }

    [Fact]
    public async Task Warnings_come_back_as_299_headers_on_success_and_on_denial()
    {
        Register(Webhooks.Configuration("warn.admission.dev", Webhooks.Url(_webhook), ["deployments"]));
        _webhook.Respond = _ => TestWebhook.Allow("approval \"web-1\" has 1 of 2 approvals", "break-glass used");
        var (status, _, response) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, Deployments, Servers.Deployment("payments", "web"));
        Assert.Equal(201, status);
        Assert.Equal(["299 - \"approval \\\"web-1\\\" has 1 of 2 approvals\"", "299 - \"break-glass used\""], response.Headers.GetValues("Warning").ToArray());

        _webhook.Respond = _ => new JsonObject { ["allowed"] = false, ["warnings"] = new JsonArray("still missing"), ["status"] = new JsonObject { ["message"] = "no", ["code"] = 403 } };
        var (denied, _, deniedResponse) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, Deployments, Servers.Deployment("payments", "api"));
        Assert.Equal(403, denied);
        Assert.Equal(["299 - \"still missing\""], deniedResponse.Headers.GetValues("Warning").ToArray());
    }

    [Fact]
    public async Task Reviews_carry_the_callers_identity_the_old_object_options_and_dry_run()
    {
        Register(Webhooks.Configuration("record.admission.dev", Webhooks.Url(_webhook), ["deployments", "deployments/scale"]));
        await _alice.AppsV1.CreateNamespacedDeploymentAsync(Typed(), "payments", fieldManager: "tests");
        using var bob = _server.CreateClient(Servers.Bob);
        await bob.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:2"}]}}}}""",
            V1Patch.PatchType.StrategicMergePatch), "web", "payments", dryRun: "All");
        await bob.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "web", "payments");
        await _alice.AppsV1.DeleteNamespacedDeploymentAsync("web", "payments");

        var reviews = _webhook.Requests.ToArray();
        Assert.Equal(["CREATE", "UPDATE", "UPDATE", "DELETE"], reviews.Select(r => r["operation"]!.ToString()).ToArray());
        Assert.Equal(4, reviews.Select(r => r["uid"]!.ToString()).Distinct().Count());

        var create = reviews[0];
        Assert.Equal("""{"group":"apps","version":"v1","kind":"Deployment"}""", create["kind"]!.ToJsonString());
        Assert.Equal("""{"group":"apps","version":"v1","resource":"deployments"}""", create["resource"]!.ToJsonString());
        Assert.Equal("web", create["name"]!.ToString());
        Assert.Equal("payments", create["namespace"]!.ToString());
        Assert.Equal("alice", create["userInfo"]!["username"]!.ToString());
        Assert.Equal("CreateOptions", create["options"]!["kind"]!.ToString());
        Assert.Equal("tests", create["options"]!["fieldManager"]!.ToString());
        Assert.Null(create["oldObject"]);
        Assert.False(create["dryRun"]!.GetValue<bool>());

        var update = reviews[1];
        Assert.True(update["dryRun"]!.GetValue<bool>());
        Assert.Equal("""{"username":"bob","uid":"uid-bob","groups":["tier1-approvers","system:authenticated"],"extra":{"team":["payments"]}}""",
            update["userInfo"]!.ToJsonString());
        Assert.Equal("nginx:2", update["object"]!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.ToString());
        Assert.Equal("nginx:1", update["oldObject"]!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.ToString());
        Assert.Equal("UpdateOptions", update["options"]!["kind"]!.ToString());

        var scale = reviews[2];
        Assert.Equal("""{"group":"autoscaling","version":"v1","kind":"Scale"}""", scale["kind"]!.ToJsonString());
        Assert.Equal("scale", scale["subResource"]!.ToString());
        Assert.Equal(3, scale["object"]!["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(1, scale["oldObject"]!["spec"]!["replicas"]!.GetValue<int>());

        var delete = reviews[3];
        Assert.Null(delete["object"]);
        Assert.Equal("web", delete["oldObject"]!["metadata"]!["name"]!.ToString());
        Assert.Equal("DeleteOptions", delete["options"]!["kind"]!.ToString());
    }

    [Fact]
    public async Task An_unreachable_webhook_fails_closed_with_Fail_and_open_with_Ignore()
    {
        Register(Webhooks.Configuration("closed.admission.dev", Webhooks.Url(_webhook), ["deployments"], "Fail"));
        await _webhook.StopAsync();
        var (status, body, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, Deployments, Servers.Deployment("payments", "web"));
        Assert.Equal(500, status);
        Assert.Equal("InternalError", body!["reason"]!.ToString());
        Assert.StartsWith("Internal error occurred: failed calling webhook \"closed.admission.dev\": failed to call webhook: Post \"https://127.0.0.1:",
            body["message"]!.ToString());

        Register(Webhooks.Configuration("closed.admission.dev", Webhooks.Url(_webhook), ["deployments"], "Ignore"));
        var (allowed, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, Deployments, Servers.Deployment("payments", "web"));
        Assert.Equal(201, allowed);
    }

    [Fact]
    public async Task A_slow_webhook_times_out_after_timeoutSeconds()
    {
        Register(Webhooks.Configuration("slow.admission.dev", Webhooks.Url(_webhook), ["deployments"], timeoutSeconds: 1));
        _webhook.Delay = TimeSpan.FromSeconds(5);
        var clock = Stopwatch.StartNew();
        var (status, body, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, Deployments, Servers.Deployment("payments", "web"));
        Assert.Equal(500, status);
        Assert.EndsWith("context deadline exceeded", body!["message"]!.ToString());
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task A_certificate_the_caBundle_does_not_vouch_for_is_a_call_failure()
    {
        await using var other = await TestWebhook.StartAsync();
        var clientConfig = new JsonObject { ["url"] = _webhook.Url, ["caBundle"] = other.CaBundle };
        Register(Webhooks.Configuration("untrusted.admission.dev", clientConfig, ["deployments"]));
        var (status, body, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, Deployments, Servers.Deployment("payments", "web"));
        Assert.Equal(500, status);
        Assert.Contains("failed calling webhook \"untrusted.admission.dev\"", body!["message"]!.ToString());
        Assert.Empty(_webhook.Requests);
    }

    [Fact]
    public async Task Host_names_are_checked_against_the_certificate()
    {
        await using var localhostOnly = await TestWebhook.StartAsync("localhost");
        var clientConfig = new JsonObject { ["url"] = localhostOnly.Url, ["caBundle"] = localhostOnly.CaBundle };
        Register(Webhooks.Configuration("mismatch.admission.dev", clientConfig, ["deployments"]));
        var (status, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, Deployments, Servers.Deployment("payments", "web"));
        Assert.Equal(500, status);

        clientConfig["url"] = $"https://localhost:{localhostOnly.Port}/validate";
        Register(Webhooks.Configuration("mismatch.admission.dev", clientConfig, ["deployments"]));
        var (allowed, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, Deployments, Servers.Deployment("payments", "web"));
        Assert.Equal(201, allowed);
    }

    [Fact]
    public async Task Service_references_resolve_through_the_test_resolver_and_verify_the_service_name()
    {
        await using var inCluster = await TestWebhook.StartAsync("admission.approvals-system.svc");
        _server.ServiceResolver = s => new Uri($"https://127.0.0.1:{inCluster.Port}");
        var clientConfig = new JsonObject
        {
            ["service"] = new JsonObject { ["namespace"] = "approvals-system", ["name"] = "admission", ["path"] = "/validate", ["port"] = 443 },
            ["caBundle"] = inCluster.CaBundle,
        };
        Register(Webhooks.Configuration("svc.admission.dev", clientConfig, ["deployments"]));
        inCluster.Respond = _ => TestWebhook.Deny("from the service");
        var (status, body, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, Deployments, Servers.Deployment("payments", "web"));
        Assert.Equal(403, status);
        Assert.EndsWith("from the service", body!["message"]!.ToString());
    }

    [Fact]
    public async Task The_namespace_selector_uses_the_namespaces_labels_and_for_Namespaces_their_own()
    {
        Register(Webhooks.Configuration("tier1.admission.dev", Webhooks.Url(_webhook), ["deployments", "namespaces"], namespaceSelector: Webhooks.TierOne()));
        _webhook.Respond = _ => TestWebhook.Deny("tier-1");
        var (sandbox, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, "/apis/apps/v1/namespaces/sandbox/deployments", Servers.Deployment("sandbox", "web"));
        Assert.Equal(201, sandbox);
        var (payments, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, Deployments, Servers.Deployment("payments", "web"));
        Assert.Equal(403, payments);

        var (plain, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, "/api/v1/namespaces", Servers.Namespace("plain"));
        Assert.Equal(201, plain);
        var (labelled, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, "/api/v1/namespaces",
            Servers.Namespace("labelled", new Dictionary<string, string> { ["approvals.admission.dev/tier"] = "1" }));
        Assert.Equal(403, labelled);

        var (deleteTier1, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Delete, "/api/v1/namespaces/payments");
        Assert.Equal(403, deleteTier1);
        var namespaceReview = _webhook.Requests.Last();
        Assert.Equal("payments", namespaceReview["namespace"]!.ToString());
        Assert.Equal("payments", namespaceReview["name"]!.ToString());
    }

    [Fact]
    public async Task The_object_selector_matches_the_new_or_the_old_labels()
    {
        var configuration = Webhooks.Configuration("guarded.admission.dev", Webhooks.Url(_webhook), ["configmaps"]);
        configuration["webhooks"]![0]!["objectSelector"] = JsonNode.Parse("""{"matchExpressions":[{"key":"guarded","operator":"In","values":["yes"]}]}""");
        Register(configuration);
        _webhook.Respond = _ => TestWebhook.Deny("guarded");
        var plain = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "c" } };
        var (created, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, "/api/v1/namespaces/payments/configmaps", plain);
        Assert.Equal(201, created);

        var label = JsonNode.Parse("""{"metadata":{"labels":{"guarded":"yes"}}}""");
        var (labelled, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Patch, "/api/v1/namespaces/payments/configmaps/c", label, "application/merge-patch+json");
        Assert.Equal(403, labelled);

        _server.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "c", ["namespace"] = "payments", ["labels"] = new JsonObject { ["guarded"] = "yes" } } });
        var unlabel = JsonNode.Parse("""{"metadata":{"labels":null}}""");
        var (unlabelled, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Patch, "/api/v1/namespaces/payments/configmaps/c", unlabel, "application/merge-patch+json");
        Assert.Equal(403, unlabelled);
    }

    [Fact]
    public async Task Webhook_configurations_are_never_sent_to_webhooks()
    {
        Register(Webhooks.Configuration("all.admission.dev", Webhooks.Url(_webhook), ["*/*"]));
        _webhook.Respond = _ => TestWebhook.Deny("everything");
        var (status, _, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Delete,
            "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/all.admission.dev");
        Assert.Equal(200, status);
        Assert.Empty(_webhook.Requests);
    }

    // A field of the first webhook set to what kube-apiserver refuses, and the path its refusal names.
    public static TheoryData<string, string, string> BadWebhookFields => new()
    {
        // a name that is not fully qualified; values kube-apiserver does not know; a timeout over 30 s
        { "name", "\"deny\"", "webhooks[0].name" }, { "sideEffects", "\"Unknown\"", "webhooks[0].sideEffects" },
        { "admissionReviewVersions", "[\"v2\"]", "webhooks[0].admissionReviewVersions" }, { "failurePolicy", "\"Sometimes\"", "webhooks[0].failurePolicy" },
        { "timeoutSeconds", "31", "webhooks[0].timeoutSeconds" },
        // a URL that is not https; neither a URL nor a service
        { "clientConfig", "{\"url\":\"http://127.0.0.1:1/validate\"}", "webhooks[0].clientConfig.url" }, { "clientConfig", "{}", "webhooks[0].clientConfig" },
    };

    [Theory]
    [MemberData(nameof(BadWebhookFields))]
    public async Task Webhook_configurations_are_validated_like_kube_apiserver_does(string field, string value, string reported)
    {
        var configuration = Webhooks.Configuration("bad.admission.dev", Webhooks.Url(_webhook), ["deployments"]);
        configuration["webhooks"]![0]![field] = JsonNode.Parse(value);
        var (status, body, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Post,
            "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", configuration);
        Assert.Equal(422, status);
        Assert.StartsWith($"ValidatingWebhookConfiguration.admissionregistration.k8s.io \"bad.admission.dev\" is invalid: {reported}: ", body!["message"]!.ToString());
    }

    [Theory]
    [InlineData("deployments", "", true)]
    [InlineData("deployments", "scale", false)]
    [InlineData("deployments/scale", "scale", true)]
    [InlineData("deployments/*", "status", true)]
    [InlineData("*", "", true)]
    [InlineData("*", "scale", false)]
    [InlineData("*/scale", "scale", true)]
    [InlineData("*/*", "status", true)]
    [InlineData("statefulsets", "", false)]
    public void Resource_rules_follow_kube_apiserver_wildcards(string rule, string subresource, bool matches)
    {
        var rules = JsonNode.Parse($$"""[{"apiGroups":["apps"],"apiVersions":["v1"],"operations":["UPDATE"],"resources":["{{rule}}"]}]""");
        Assert.Equal(matches, RuleMatcher.AnyMatches(rules, Attributes(subresource, "UPDATE")));
    }

    [Theory]
    [InlineData("""{"operations":["CREATE"]}""", false)]
    [InlineData("""{"operations":["*"]}""", true)]
    [InlineData("""{"apiGroups":[""]}""", false)]
    [InlineData("""{"apiVersions":["v1beta1"]}""", false)]
    [InlineData("""{"scope":"Cluster"}""", false)]
    [InlineData("""{"scope":"Namespaced"}""", true)]
    public void Operation_group_version_and_scope_rules(string overrides, bool matches)
    {
        var rule = (JsonObject)JsonNode.Parse("""{"apiGroups":["apps"],"apiVersions":["v1"],"operations":["UPDATE"],"resources":["deployments"]}""")!;
        foreach (var (key, value) in (JsonObject)JsonNode.Parse(overrides)!)
        {
            rule[key] = value?.DeepClone();
        }

        Assert.Equal(matches, RuleMatcher.AnyMatches(new JsonArray(rule), Attributes("", "UPDATE")));
    }

    private AdmissionAttributes Attributes(string subresource, string operation) =>
        new(_server.Resources.Find("apps", "deployments")!, subresource, operation, "payments", "web", null, null, false, [],
            new Auth.UserInfo("alice", "", [], new Dictionary<string, IReadOnlyList<string>>()));

    private void Register(JsonObject configuration) => _server.Seed(configuration);

    private static V1Deployment Typed() => KubernetesJson.Deserialize<V1Deployment>(Servers.Deployment("payments", "web").ToJsonString());
}
