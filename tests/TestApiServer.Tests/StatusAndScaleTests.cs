namespace Admission.TestApiServer.Tests;

public sealed class StatusAndScaleTests : PaymentsTest
{
    private const string Approvals = "/apis/approvals.admission.dev/v1alpha1/namespaces/payments/changeapprovals";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var (status, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, Approvals, Servers.ChangeApproval("payments", "a1"));
        Assert.Equal(201, status);
    }

    [Fact]
    public async Task Status_given_on_create_is_dropped()
    {
        var body = Servers.ChangeApproval("payments", "a2");
        body["status"] = new JsonObject { ["phase"] = "Approved" };
        var (_, created, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, Approvals, body);
        Assert.Null(created!["status"]);
    }

    [Fact]
    public async Task Main_resource_writes_ignore_status_and_status_writes_change_only_status()
    {
        var current = await Get();
        current["status"] = new JsonObject { ["phase"] = "Approved" };
        // approvals is the one spec field the CRD's rules let change.
        current["spec"]!["approvals"] = new JsonArray(new JsonObject { ["approver"] = "bob", ["approvedAt"] = "2030-01-01T00:00:00Z" });
        var (code, afterMain, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Put, $"{Approvals}/a1", current);
        Assert.Equal(200, code);
        Assert.Null(afterMain!["status"]);
        Assert.Equal("bob", afterMain["spec"]!["approvals"]![0]!["approver"]!.ToString());
        Assert.Equal(2, afterMain["metadata"]!["generation"]!.GetValue<int>());

        var statusWrite = (JsonObject)afterMain.DeepClone();
        statusWrite["status"] = new JsonObject { ["phase"] = "Approved", ["observedGeneration"] = 2 };
        statusWrite["spec"]!["reason"] = "sneaky";
        statusWrite["metadata"]!["labels"] = new JsonObject { ["x"] = "y" };
        var (statusCode, afterStatus, _) = await _server.SendAsync(Servers.Bob, HttpMethod.Put, $"{Approvals}/a1/status", statusWrite);
        Assert.Equal(200, statusCode);
        Assert.Equal("Approved", afterStatus!["status"]!["phase"]!.ToString());
        Assert.Equal("Roll out 2.4.1", afterStatus["spec"]!["reason"]!.ToString());
        Assert.Null(afterStatus["metadata"]!["labels"]);
        Assert.Equal(2, afterStatus["metadata"]!["generation"]!.GetValue<int>());

        var merge = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["team"] = "pay" } }, ["status"] = new JsonObject { ["phase"] = "Expired" } };
        var (_, afterPatch, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Patch, $"{Approvals}/a1", merge, "application/merge-patch+json");
        Assert.Equal("pay", afterPatch!["metadata"]!["labels"]!["team"]!.ToString());
        Assert.Equal("Approved", afterPatch["status"]!["phase"]!.ToString());
        Assert.Equal(2, afterPatch["metadata"]!["generation"]!.GetValue<int>());

        var statusPatch = new JsonObject { ["status"] = new JsonObject { ["phase"] = "Expired" } };
        var (_, afterStatusPatch, _) = await _server.SendAsync(Servers.Bob, HttpMethod.Patch, $"{Approvals}/a1/status", statusPatch, "application/merge-patch+json");
        Assert.Equal("Expired", afterStatusPatch!["status"]!["phase"]!.ToString());

        var statusWriters = _server.Changes.Where(c => c.Resource == "changeapprovals" && c.Subresource == "status").Select(c => c.Username).ToList();
        Assert.Equal(["bob", "bob"], statusWriters);
    }

    [Fact]
    public async Task Status_write_with_a_stale_resource_version_conflicts()
    {
        var stale = await Get();
        await _server.SendAsync(Servers.Alice, HttpMethod.Patch, $"{Approvals}/a1",
            new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["a"] = "b" } } }, "application/merge-patch+json");
        stale["status"] = new JsonObject { ["phase"] = "Approved" };
        var (code, body, _) = await _server.SendAsync(Servers.Bob, HttpMethod.Put, $"{Approvals}/a1/status", stale);
        Assert.Equal(409, code);
        Assert.Equal("Conflict", body!["reason"]!.ToString());
    }

    [Theory]
    // Labels, not spec: spec is immutable under the CRD's CEL rules, which the server enforces.
    [InlineData("application/json-patch+json", """[{"op":"add","path":"/metadata/labels","value":{"step":"patched"}}]""", 200, "patched")]
    [InlineData("application/json-patch+json", """[{"op":"test","path":"/spec/reason","value":"nope"},{"op":"add","path":"/metadata/labels","value":{"step":"x"}}]""", 422, "")]
    [InlineData("application/merge-patch+json", """{"metadata":{"labels":{"step":"merged"}},"spec":{"ticket":null}}""", 200, "merged")]
    [InlineData("application/strategic-merge-patch+json", """{"metadata":{"labels":{"step":"smp"}}}""", 415, "")]
    [InlineData("application/apply-patch+yaml", """{"metadata":{"labels":{"step":"ssa"}}}""", 415, "")]
    public async Task Patch_types_on_a_custom_resource(string contentType, string patch, int expectedStatus, string expectedStep)
    {
        var (code, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Patch, $"{Approvals}/a1", JsonNode.Parse(patch), contentType);
        Assert.Equal(expectedStatus, code);
        Assert.Equal(expectedStep, (await Get())["metadata"]!["labels"]?["step"]?.ToString() ?? "");
    }

    [Fact]
    public async Task Strategic_merge_patch_merges_containers_by_name()
    {
        var deployment = Servers.Deployment("payments", "web");
        deployment["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Add(new JsonObject { ["name"] = "sidecar", ["image"] = "envoy:1" });
        _server.Seed(deployment);
        var patch = JsonNode.Parse("""
            {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"app"}],
              "containers":[{"name":"app","image":"nginx:2"}]}}}}
            """);
        var (code, patched, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Patch, "/apis/apps/v1/namespaces/payments/deployments/web", patch,
            "application/strategic-merge-patch+json");
        Assert.Equal(200, code);
        var containers = patched!["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        Assert.Equal(["sidecar:envoy:1", "app:nginx:2"], containers.Select(c => $"{c!["name"]}:{c["image"]}").ToArray());
        Assert.Equal(80, containers[1]!["ports"]![0]!["containerPort"]!.GetValue<int>());
        Assert.Null(patched["spec"]!["template"]!["spec"]!["$setElementOrder/containers"]);
        Assert.Equal(2, patched["metadata"]!["generation"]!.GetValue<int>());
    }

    [Fact]
    public async Task Scale_subresource_reads_and_writes_replicas_through_autoscaling_v1_Scale()
    {
        _server.Seed(Servers.Deployment("payments", "web", replicas: 2));
        using var client = _server.CreateClient(Servers.Alice);
        var scale = await client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", "payments");
        Assert.Equal(2, scale.Spec.Replicas);
        Assert.Equal("app=web", scale.Status.Selector);

        scale.Spec.Replicas = 4;
        var replaced = await client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(scale, "web", "payments");
        Assert.Equal(4, replaced.Spec.Replicas);

        var patched = await client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch("""{"spec":{"replicas":6}}""", V1Patch.PatchType.MergePatch), "web", "payments");
        Assert.Equal(6, patched.Spec.Replicas);

        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync("web", "payments");
        Assert.Equal(6, deployment.Spec.Replicas);
        Assert.Equal(3, deployment.Metadata.Generation);
        Assert.Equal(["scale", "scale"], _server.Changes.Where(c => c.Resource == "deployments" && c.Type == "MODIFIED").Select(c => c.Subresource).ToArray());

        scale.Spec.Replicas = 1;
        var stale = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(scale, "web", "payments"));
        Assert.Equal(HttpStatusCode.Conflict, stale.Response.StatusCode);
    }

    private async Task<JsonObject> Get()
    {
        var (_, body, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Get, $"{Approvals}/a1");
        return (JsonObject)body!;
    }
}
