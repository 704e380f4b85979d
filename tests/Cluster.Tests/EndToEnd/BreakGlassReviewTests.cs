namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>
/// Break glass reviewed after the fact (issue 14), against the test API server: a break-glass
/// change opens one retrospective ChangeApproval in the break-glass user's name, bound to the
/// admitted digest; the metric counts it; two reviewers close it and the metric returns to zero;
/// and, reviewed, it still admits nothing.
/// </summary>
public sealed class BreakGlassReviewTests : ClusterTest
{
    private const string Hotfix = "hotfix";
    private const string Unreviewed = "admission_break_glass_unreviewed";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _cluster.Api.AddUser("erin-token", "erin", ["developers", "tier1-break-glass"]);
        _cluster.Api.Authorize = Admission.Tests.Shared.ChartRbac.Authorizer(["admission-a", "admission-b"],
            [.. ClusterHarness.PeopleBindings(), RbacObjects.RoleBinding(ClusterHarness.Ns, "erin-edit", "ClusterRole", "edit", RbacObjects.User("erin"))]).Authorize;
    }

    private static JsonObject HotfixDeployment(string? breakGlass) => ClusterHarness.DeploymentObject(Hotfix, "registry.example.com/checkout:2.4.1-hotfix", replicas: 1,
        annotations: breakGlass is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [AdmissionPolicy.BreakGlassAnnotation] = breakGlass });

    private async Task<IReadOnlyList<JsonElement>> RetrospectivesAsync()
    {
        var list = await _cluster.Client("admin").CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(
            ChangeApproval.Group, ChangeApproval.Version, ClusterHarness.Ns, ChangeApproval.Plural, labelSelector: ChangeApproval.RetrospectiveLabel + "=true");
        return [.. list.GetProperty("items").EnumerateArray()];
    }

    [Fact]
    public async Task A_break_glass_change_opens_one_review_that_two_reviewers_close_and_that_never_admits()
    {
        var admission = await _cluster.StartAdmissionAsync(extraArgs: ["--operator-user", ClusterHarness.UserOf("admission-a")]);
        Assert.Equal(0, await admission.MetricAsync(Unreviewed));

        // A dry run stores nothing and leaves no debt; the real break glass does.
        var dryRun = await ClusterHarness.Try(() => _cluster.Client("erin").AppsV1.CreateNamespacedDeploymentAsync(
            KubernetesJson.Deserialize<V1Deployment>(HotfixDeployment("INC-4500: checkout down").ToJsonString()), ClusterHarness.Ns, dryRun: "All"));
        Assert.True(dryRun.Ok, dryRun.ToString());
        var created = await ClusterHarness.Try(() => _cluster.Client("erin").AppsV1.CreateNamespacedDeploymentAsync(
            KubernetesJson.Deserialize<V1Deployment>(HotfixDeployment("INC-4500: checkout down").ToJsonString()), ClusterHarness.Ns));
        Assert.True(created.Ok, created.ToString());

        var retro = await Wait.ForAsync(RetrospectivesAsync, l => l.Count > 0, TimeSpan.FromSeconds(20), "a retrospective ChangeApproval");
        var approval = Assert.Single(retro);
        var name = approval.GetProperty("metadata").GetProperty("name").GetString()!;
        var spec = approval.GetProperty("spec");
        Assert.Equal("erin", spec.GetProperty("requestedBy").GetString());
        Assert.Equal(Hotfix, spec.GetProperty("target").GetProperty("name").GetString());
        Assert.Equal(["CREATE"], spec.GetProperty("operations").EnumerateArray().Select(o => o.GetString()));
        var stored = JsonSerializer.SerializeToElement(_cluster.Api.Get("apps", "deployments", ClusterHarness.Ns, Hotfix));
        Assert.Equal(Policies.Digest.ChangeDigest.Of(stored, AdmissionPolicy.Default), spec.GetProperty("change").GetProperty("digest").GetString());
        Assert.Contains("INC-4500: checkout down", spec.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, spec.GetProperty("approvals").GetArrayLength());

        // The break-glass change record: on the approval, in the log, as an Event.
        var kept = JsonNode.Parse(approval.GetProperty("metadata").GetProperty("annotations").GetProperty("audit.approvals.admission.dev/record").GetString()!)!;
        Assert.Equal("BreakGlassAdmitted", kept["kind"]!.ToString());
        Assert.Equal("erin", kept["breakGlassBy"]!.ToString());
        Assert.Equal(name, kept["changeApproval"]!["name"]!.ToString());
        Assert.Equal(spec.GetProperty("change").GetProperty("digest").GetString(), kept["change"]!["digest"]!.ToString());
        Assert.Equal(approval.GetProperty("metadata").GetProperty("annotations").GetProperty("approvals.admission.dev/admission-uid").GetString(), kept["admissionUid"]!.ToString());
        var line = Assert.Single(admission.Output, l => l.Contains("change record {", StringComparison.Ordinal));
        Assert.True(JsonNode.DeepEquals(kept, JsonNode.Parse(line[(line.IndexOf("change record ", StringComparison.Ordinal) + "change record ".Length)..])), line);
        await Wait.UntilAsync(() => _cluster.EventsFor(name).Any(e => e["reason"]?.ToString() == "BreakGlassAdmitted"), TimeSpan.FromSeconds(10), () => _cluster.Logs);

        // Counted and Pending until two reviewers other than erin have reviewed it.
        await Wait.UntilAsync(() => _cluster.Phase(name) == "Pending", TimeSpan.FromSeconds(15), () => _cluster.Logs);
        await Wait.ForAsync(() => admission.MetricAsync(Unreviewed), v => v == 1, TimeSpan.FromSeconds(15), "the unreviewed metric at 1");
        Assert.True(await admission.MetricAsync("admission_break_glass_unreviewed_oldest_timestamp_seconds") > 0);

        var erinReviewsHerself = await _cluster.ApproveAsync("erin", name);
        Assert.False(erinReviewsHerself.Ok, "erin reviewed her own break glass");
        Assert.True((await _cluster.ApproveAsync("alice", name)).Ok);
        Assert.Equal(1, await admission.MetricAsync(Unreviewed));
        Assert.True((await _cluster.ApproveAsync("bob", name)).Ok);
        await Wait.UntilAsync(() => _cluster.Phase(name) == "Approved", TimeSpan.FromSeconds(15), () => _cluster.Logs);
        await Wait.ForAsync(() => admission.MetricAsync(Unreviewed), v => v == 0, TimeSpan.FromSeconds(15), "the unreviewed metric back at 0");
        Assert.Single(await RetrospectivesAsync());

        // Reviewed, it binds exactly the CREATE of this hotfix, yet admits none: once the
        // Deployment is gone (erin deletes it, by break glass again: the reason on the object
        // counts, and that opens a review of the DELETE), carol's identical CREATE is denied.
        var deleted = await ClusterHarness.Try(() => _cluster.Client("erin").AppsV1.DeleteNamespacedDeploymentAsync(Hotfix, ClusterHarness.Ns));
        Assert.True(deleted.Ok, deleted.ToString());
        Assert.Null(_cluster.Api.Get("apps", "deployments", ClusterHarness.Ns, Hotfix));
        var both = await Wait.ForAsync(RetrospectivesAsync, l => l.Count == 2, TimeSpan.FromSeconds(20), "the review of the DELETE");
        var ofDelete = Assert.Single(both, a => a.GetProperty("metadata").GetProperty("name").GetString() != name);
        Assert.Equal(["DELETE"], ofDelete.GetProperty("spec").GetProperty("operations").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(Policies.Digest.ChangeDigest.Of(stored, AdmissionPolicy.Default), ofDelete.GetProperty("spec").GetProperty("change").GetProperty("digest").GetString());
        var again = await ClusterHarness.Try(() => _cluster.Client("carol").AppsV1.CreateNamespacedDeploymentAsync(
            KubernetesJson.Deserialize<V1Deployment>(HotfixDeployment(null).ToJsonString()), ClusterHarness.Ns));
        Assert.False(again.Ok, "a reviewed retrospective ChangeApproval admitted a CREATE");
        Assert.Equal(403, again.Code);
        Assert.DoesNotContain(name, again.Message, StringComparison.Ordinal);
        Assert.Equal(2, admission.Output.Count(l => l.Contains("retrospective ChangeApproval", StringComparison.Ordinal) && l.Contains("opened", StringComparison.Ordinal)));
    }
}
