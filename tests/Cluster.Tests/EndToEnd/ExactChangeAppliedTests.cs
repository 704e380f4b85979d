namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>
/// The operator against the test API server with requireExactChange on (the default): an exact-change
/// approval turns Applied, with appliedAt, the Applied condition and an Event, once the approved
/// object is stored, and not while a different one is.
/// </summary>
public sealed class ExactChangeAppliedTests : ClusterTest
{
    private const string DeploymentPath = "/apis/apps/v1/namespaces/payments/deployments/checkout";

    private JsonObject Live() => _cluster.Api.Get("apps", "deployments", ClusterHarness.Ns, ClusterHarness.Deployment)!;

    private static JsonObject WithImage(JsonObject deployment, string image, bool extraEnv = false)
    {
        var copy = (JsonObject)deployment.DeepClone();
        var container = copy["spec"]!["template"]!["spec"]!["containers"]![0]!;
        container["image"] = image;
        if (extraEnv) container["env"] = new JsonArray(new JsonObject { ["name"] = "DEBUG", ["value"] = "1" });
        return copy;
    }

    private static string Digest(JsonObject obj) => ChangeDigest.Of(JsonDocument.Parse(obj.ToJsonString()).RootElement, AdmissionPolicy.Default);

    /// <summary>True once the operator has read the Deployment after request number <paramref name="after"/>.</summary>
    private bool OperatorReadTargetSince(int after) =>
        _cluster.Api.Requests.Skip(after).Any(r => r.Method == "GET" && r.Path == DeploymentPath && r.User == ClusterHarness.UserOf("admission-a"));

    [Fact]
    public async Task The_approval_goes_Applied_after_the_approved_object_is_written_not_after_a_different_one()
    {
        var policy = Path.Combine(_cluster.Dir, "exact.yaml");
        await File.WriteAllTextAsync(policy, "requireExactChange: true\n");
        await _cluster.StartAdmissionAsync(environment: new Dictionary<string, string> { ["ADMISSION_APPLIED_CHECK_INTERVAL"] = "300ms" },
            extraArgs: ["--policy", policy]);

        var live = Live();
        var approved = WithImage(live, "registry.example.com/checkout:2.4.1");
        var approval = ClusterHarness.ApprovalObject("exact", "carol", DateTimeOffset.UtcNow.AddHours(1));
        approval["spec"]!["change"] = new JsonObject { ["digest"] = Digest(approved), ["base"] = Digest(live) };
        var created = await ClusterHarness.Try(() => _cluster.Client("carol").CustomObjects.CreateNamespacedCustomObjectAsync(
            approval, ChangeApproval.Group, ChangeApproval.Version, ClusterHarness.Ns, ChangeApproval.Plural));
        Assert.True(created.Ok, created.ToString());
        Assert.True((await _cluster.ApproveAsync("alice", "exact")).Ok);
        Assert.True((await _cluster.ApproveAsync("bob", "exact")).Ok);
        await Wait.UntilAsync(() => _cluster.Phase("exact") == "Approved", TimeSpan.FromSeconds(15), () => _cluster.Logs);

        // A different object stored (not through the webhook): the operator reads it and the approval stays Approved.
        _cluster.Api.Seed(WithImage(live, "registry.example.com/checkout:2.4.1", extraEnv: true));
        var mark = _cluster.Api.Requests.Count;
        await Wait.UntilAsync(() => OperatorReadTargetSince(mark), TimeSpan.FromSeconds(15), () => _cluster.Logs);
        Assert.Equal("Approved", _cluster.Phase("exact"));
        _cluster.Api.Seed(live); // back to the base

        // Carol writes exactly the approved object: admitted, and the approval turns Applied.
        var current = Live();
        var write = WithImage(current, "registry.example.com/checkout:2.4.1");
        var outcome = await ClusterHarness.Try(() => _cluster.Client("carol").CustomObjects.ReplaceNamespacedCustomObjectAsync(
            write, "apps", "v1", ClusterHarness.Ns, "deployments", ClusterHarness.Deployment));
        Assert.True(outcome.Ok, outcome.ToString());
        await Wait.UntilAsync(() => _cluster.Phase("exact") == "Applied", TimeSpan.FromSeconds(15), () => _cluster.Logs);

        var status = _cluster.Approval("exact")!["status"]!;
        Assert.NotNull(status["appliedAt"]);
        Assert.Contains(status["conditions"]!.AsArray(), c => c!["type"]!.ToString() == "Applied" && c["status"]!.ToString() == "True");
        Assert.Contains(status["conditions"]!.AsArray(), c => c!["type"]!.ToString() == "Approved" && c["status"]!.ToString() == "True");
        await Wait.UntilAsync(() => _cluster.EventsFor("exact").Any(e => e["reason"]?.ToString() == "Applied"), TimeSpan.FromSeconds(10), () => _cluster.Logs);
        var phases = _cluster.EventsFor("exact").Select(e => e["reason"]!.ToString()).Where(r => r is "Approved" or "Applied").ToList();
        Assert.Equal(["Approved", "Applied"], phases);
        Assert.Contains(Digest(approved), _cluster.EventsFor("exact").Single(e => e["reason"]!.ToString() == "Applied")["message"]!.ToString(), StringComparison.Ordinal);
    }
}
