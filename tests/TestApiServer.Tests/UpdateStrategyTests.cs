namespace Admission.TestApiServer.Tests;

/// <summary>
/// Which fields a write through each path can change, per pkg/registry/core/namespace/strategy.go and
/// pkg/registry/apps/deployment/strategy.go. Each row writes a changed label, annotation, spec field
/// and status field through one path and states which of the four changes are stored.
/// </summary>
public sealed class UpdateStrategyTests : PaymentsTest
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _server.Seed(Servers.Namespace("sandbox"));
        _server.Seed(Servers.Deployment("payments", "web"));
    }

    public static TheoryData<string, string, bool, bool, bool, bool> Rows() => new()
    {
        // path, subresource: label, annotation, spec, status stored?
        { "namespaces", "", true, true, false, false },
        { "namespaces", "status", true, true, false, true },
        { "namespaces", "finalize", true, true, true, false },
        { "deployments", "", true, true, true, false },
        { "deployments", "status", false, true, false, true },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Each_path_stores_only_what_its_strategy_lets_through(string plural, string subresource,
        bool label, bool annotation, bool spec, bool status)
    {
        var url = plural == "namespaces" ? "/api/v1/namespaces/sandbox" : "/apis/apps/v1/namespaces/payments/deployments/web";
        var (_, current, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Get, url);
        var desired = (JsonObject)current!.DeepClone();
        desired["metadata"]!["labels"]!["changed"] = "yes";
        desired["metadata"]!["annotations"] = new JsonObject { ["changed"] = "yes" };
        if (plural == "namespaces")
        {
            desired["spec"]!["finalizers"] = new JsonArray("kubernetes", "example.com/hold");
            desired["status"]!["conditions"] = new JsonArray(new JsonObject { ["type"] = "Custom", ["status"] = "True" });
        }
        else
        {
            desired["spec"]!["replicas"] = 5;
            desired["status"] = new JsonObject { ["observedGeneration"] = 1, ["replicas"] = 1 };
        }

        var (code, stored, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Put, subresource.Length > 0 ? $"{url}/{subresource}" : url, desired);
        Assert.Equal(200, code);
        Assert.Equal(label, stored!["metadata"]!["labels"]?["changed"] is not null);
        Assert.Equal(annotation, stored["metadata"]!["annotations"]?["changed"] is not null);
        Assert.Equal(spec, plural == "namespaces"
            ? stored["spec"]!["finalizers"]!.AsArray().Count == 2
            : stored["spec"]!["replicas"]!.GetValue<int>() == 5);
        Assert.Equal(status, plural == "namespaces"
            ? stored["status"]?["conditions"] is not null
            : stored["status"]?["observedGeneration"] is not null);
    }

    [Theory]
    [InlineData("spec", 2)]
    [InlineData("annotations", 2)]
    [InlineData("labels", 1)]
    public async Task A_deployments_generation_grows_on_spec_and_annotation_changes_only(string change, int generation)
    {
        var (_, current, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Get, "/apis/apps/v1/namespaces/payments/deployments/web");
        var desired = (JsonObject)current!.DeepClone();
        switch (change)
        {
            case "spec":
                desired["spec"]!["replicas"] = 3;
                break;
            case "annotations":
                desired["metadata"]!["annotations"] = new JsonObject { ["note"] = "x" };
                break;
            default:
                desired["metadata"]!["labels"]!["note"] = "x";
                break;
        }

        var (_, stored, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Put, "/apis/apps/v1/namespaces/payments/deployments/web", desired);
        Assert.Equal(generation, stored!["metadata"]!["generation"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_namespace_status_write_keeps_the_phase_in_step_with_deletionTimestamp()
    {
        var (_, current, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Get, "/api/v1/namespaces/sandbox");
        current!["status"]!["phase"] = "Terminating";
        var (code, body, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Put, "/api/v1/namespaces/sandbox/status", current);
        Assert.Equal(422, code);
        Assert.Equal("Namespace \"sandbox\" is invalid: status.phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty",
            body!["message"]!.ToString());
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PATCH")]
    public async Task Finalize_is_update_only(string method)
    {
        var (code, _, _) = await _server.SendAsync(Servers.Admin, new HttpMethod(method), "/api/v1/namespaces/sandbox/finalize",
            method == "PATCH" ? new JsonObject() : null, "application/merge-patch+json");
        Assert.Equal(405, code);
    }

    [Fact]
    public async Task A_finalize_that_leaves_a_terminating_namespace_without_finalizers_removes_it()
    {
        // A finalizer of its own keeps the namespace after the controller has removed "kubernetes".
        var (_, current, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Get, "/api/v1/namespaces/sandbox");
        current!["spec"]!["finalizers"] = new JsonArray("kubernetes", "example.com/hold");
        await _server.SendAsync(Servers.Admin, HttpMethod.Put, "/api/v1/namespaces/sandbox/finalize", current);
        await _server.SendAsync(Servers.Admin, HttpMethod.Delete, "/api/v1/namespaces/sandbox");
        JsonObject? held = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            held = _server.Get("", "namespaces", null, "sandbox");
            if (held?["spec"]?["finalizers"]?.AsArray().Count == 1)
            {
                break;
            }

            await Task.Delay(20);
        }

        Assert.Equal("example.com/hold", held!["spec"]!["finalizers"]![0]!.ToString());
        held["spec"]!["finalizers"] = new JsonArray();
        var (code, _, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Put, "/api/v1/namespaces/sandbox/finalize", held);
        Assert.Equal(200, code);
        Assert.Null(_server.Get("", "namespaces", null, "sandbox"));
    }
}
