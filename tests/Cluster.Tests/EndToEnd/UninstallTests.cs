namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>
/// Issue 14: `admission uninstall`, the chart's pre-delete hook, run as the hook's service account
/// with exactly the chart's RBAC for it, against the stand-in with its Deployment and ReplicaSet
/// controllers. The chart's fail-closed webhook configuration is registered pointing at nothing
/// (the operator is being removed), so any ChangeApproval write made while it exists is refused.
/// </summary>
public sealed class UninstallTests() : ClusterTest(workloads: true)
{
    private const string Finalizer = "audit.approvals.admission.dev/record";
    private const string Other = "example.com/keep";
    private const string HookUser = "system:serviceaccount:admission-system:admission-uninstall";
    private string _kubeconfig = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _cluster.Api.AddUser("uninstall-token", HookUser, ["system:serviceaccounts"]);
        _kubeconfig = Path.Combine(_cluster.Dir, "uninstall.kubeconfig");
        _cluster.Api.WriteKubeconfig(_kubeconfig, HookUser, ClusterHarness.SystemNamespace);
    }

    private static readonly Dictionary<string, string> OperatorLabels = new() { ["app.kubernetes.io/name"] = "admission", ["app.kubernetes.io/instance"] = "admission" };

    private async Task SeedOperatorAsync(int replicas)
    {
        _cluster.Api.Seed(ClusterHarness.Node(new
        {
            apiVersion = "apps/v1",
            kind = "Deployment",
            metadata = new { name = "admission", @namespace = ClusterHarness.SystemNamespace, labels = OperatorLabels },
            spec = new
            {
                replicas,
                selector = new { matchLabels = OperatorLabels },
                template = new
                {
                    metadata = new { labels = OperatorLabels },
                    spec = new { containers = new[] { new { name = "admission", image = "admission:0.1.0" } } },
                },
            },
        }));
        await Wait.UntilAsync(() => OperatorPods().Count == replicas, TimeSpan.FromSeconds(30), () => $"{OperatorPods().Count} operator pods");
    }

    private List<JsonObject> OperatorPods() =>
        [.. _cluster.Api.List("", "pods", ClusterHarness.SystemNamespace).Where(p => p["metadata"]?["labels"]?["app.kubernetes.io/name"]?.ToString() == "admission")];

    private void SeedApproval(string name, string ns, string? phase, params string[] finalizers)
    {
        var approval = ClusterHarness.ApprovalObject(name, "carol", DateTimeOffset.UtcNow.AddHours(1), ClusterHarness.Deployment, "alice", "bob");
        approval["metadata"]!["namespace"] = ns;
        approval["metadata"]!["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode)JsonValue.Create(f))]);
        if (phase is not null) approval["status"] = new JsonObject { ["phase"] = phase };
        _cluster.Api.Seed(approval);
    }

    private JsonObject? Approval(string ns, string name) => _cluster.Api.Get(ChangeApproval.Group, ChangeApproval.Plural, ns, name);

    private static IEnumerable<string> Finalizers(JsonObject? approval) =>
        approval?["metadata"]?["finalizers"]?.AsArray().Select(f => f!.ToString()) ?? [];

    /// <summary>Approvals held by the audit finalizer as a leader leaves them, then the chart's webhook configuration.</summary>
    private async Task SeedReleaseAsync()
    {
        await SeedOperatorAsync(3);
        SeedApproval("approved-a", ClusterHarness.Ns, ChangeApproval.PhaseApproved, Finalizer);
        SeedApproval("approved-b", "default", ChangeApproval.PhaseApproved, Finalizer);
        SeedApproval("shared", ClusterHarness.Ns, ChangeApproval.PhaseApproved, Other, Finalizer);
        SeedApproval("pending", ClusterHarness.Ns, null);
        SeedApproval("held", ClusterHarness.Ns, ChangeApproval.PhaseApproved, Finalizer);
        var deleted = await ClusterHarness.Try(() => _cluster.Client("admin").CustomObjects.DeleteNamespacedCustomObjectAsync(
            ChangeApproval.Group, ChangeApproval.Version, ClusterHarness.Ns, ChangeApproval.Plural, "held"));
        Assert.True(deleted.Ok, deleted.ToString());
        Assert.NotNull(Approval(ClusterHarness.Ns, "held")?["metadata"]?["deletionTimestamp"]);
        _cluster.RegisterWebhook(AdmissionProcess.FreePort(), _cluster.Api.CaPem);
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> UninstallAsync(string timeout = "60s") =>
        UninstallCli.RunAsync(["--kubeconfig", _kubeconfig, "--namespace", ClusterHarness.SystemNamespace,
            "--webhook-configuration", "admission", "--deployment", "admission", "--timeout", timeout]);

    [Fact]
    public async Task Uninstall_takes_the_gate_down_and_leaves_no_ChangeApproval_on_the_finalizer()
    {
        await SeedReleaseAsync();
        // Why the webhook configuration goes first: with no webhook answering, it refuses the very
        // patch that takes the finalizer off.
        var refused = await _cluster.PatchApprovalAsync("admin", "approved-a", """[{"op":"remove","path":"/metadata/finalizers/0"}]""");
        Assert.False(refused.Ok, "the fail-closed webhook let a ChangeApproval write through with nothing answering");

        var run = await UninstallAsync();

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Null(_cluster.Api.Get("admissionregistration.k8s.io", "validatingwebhookconfigurations", null, "admission"));
        var deployment = _cluster.Api.Get("apps", "deployments", ClusterHarness.SystemNamespace, "admission")!;
        Assert.Equal(0, deployment["spec"]!["replicas"]!.GetValue<int>());
        Assert.Empty(OperatorPods());
        var approvals = _cluster.Api.List(ChangeApproval.Group, ChangeApproval.Plural, null);
        Assert.DoesNotContain(approvals, a => Finalizers(a).Contains(Finalizer));
        Assert.Null(Approval(ClusterHarness.Ns, "held")); // its deletion, held by the finalizer, finished
        Assert.Equal([Other], Finalizers(Approval(ClusterHarness.Ns, "shared"))); // another controller's finalizer stays
        Assert.NotNull(Approval(ClusterHarness.Ns, "pending"));
        Assert.NotNull(Approval("default", "approved-b"));
        Assert.Contains("deleted ValidatingWebhookConfiguration admission", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("scaled deployment admission-system/admission to 0 replicas (was 3)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("removed the audit finalizer from ChangeApproval default/approved-b", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("the audit finalizer removed from 4 ChangeApproval(s)", run.Stdout, StringComparison.Ordinal);

        // A retried hook (or a second uninstall) finds everything done and says so.
        var again = await UninstallAsync();
        Assert.True(again.ExitCode == 0, $"exit {again.ExitCode}\n{again.Stdout}\n{again.Stderr}");
        Assert.Contains("ValidatingWebhookConfiguration admission is already gone", again.Stdout, StringComparison.Ordinal);
        Assert.Contains("deployment admission-system/admission is already at 0 replicas", again.Stdout, StringComparison.Ordinal);
        Assert.Contains("no ChangeApproval carries the audit finalizer", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_operator_pod_that_does_not_go_stops_it_before_any_finalizer_is_touched()
    {
        await SeedReleaseAsync();
        // A pod with the operator's labels that its ReplicaSet does not own, so scaling to 0 leaves
        // it running (the stand-in's controllers delete pods outright, so one stuck terminating
        // cannot be staged): a leader could still be running in it.
        const string stuckName = "admission-by-hand";
        _cluster.Api.Seed(ClusterHarness.Node(new
        {
            apiVersion = "v1",
            kind = "Pod",
            metadata = new { name = stuckName, @namespace = ClusterHarness.SystemNamespace, labels = OperatorLabels },
            spec = new { containers = new[] { new { name = "admission", image = "admission:0.1.0" } } },
        }));

        var run = await UninstallAsync(timeout: "2s");

        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Contains($"still running after 2s: {stuckName}", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("the audit finalizer was not removed from any ChangeApproval", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal); // no stack trace
        Assert.Contains(Finalizer, Finalizers(Approval(ClusterHarness.Ns, "approved-a")));
        Assert.NotNull(Approval(ClusterHarness.Ns, "held"));
        Assert.Null(_cluster.Api.Get("admissionregistration.k8s.io", "validatingwebhookconfigurations", null, "admission"));
    }

    [Fact]
    public async Task Without_the_hooks_RBAC_it_exits_1_naming_what_was_refused()
    {
        _cluster.Api.AddUser("nobody-token", "system:serviceaccount:admission-system:nobody", ["system:serviceaccounts"]);
        _cluster.Api.WriteKubeconfig(_kubeconfig, "system:serviceaccount:admission-system:nobody", ClusterHarness.SystemNamespace);
        await SeedReleaseAsync();

        var run = await UninstallAsync();

        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Contains("error: the API server refused DELETE /apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/admission: 403", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.NotNull(_cluster.Api.Get("admissionregistration.k8s.io", "validatingwebhookconfigurations", null, "admission"));
    }
}
