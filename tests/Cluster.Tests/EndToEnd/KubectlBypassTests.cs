namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>
/// Issue 10's ways around the gate, tried as a developer would, with the real kubectl (v1.32)
/// against the stand-in under the chart's RBAC, with the Deployment and ReplicaSet controllers
/// writing through admission as kube-controller-manager's service accounts: in the Tier-1
/// namespace, with no approval for them, a bare Pod (`kubectl run`), a Job (`kubectl create job`)
/// and a debug container (`kubectl debug`) are refused with the webhook's message, while the Pods
/// of an approved Deployment are created (decision controller) and the same image as a bare Pod
/// is still refused.
/// </summary>
public sealed class KubectlBypassTests() : ClusterTest(workloads: true)
{
    private const string Kubectl = "/usr/bin/kubectl";
    private const string Webhook = "admission webhook \"workloads.approvals.admission.dev\" denied the request: ";

    private AdmissionProcess _admission = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // The built-in edit role gives no pods/ephemeralcontainers; a cluster that lets developers
        // run kubectl debug binds it, and then the webhook is what refuses it in a Tier-1 namespace.
        _cluster.Api.Authorize = Admission.Tests.Shared.ChartRbac.Authorizer(["admission-a", "admission-b"],
        [
            .. ClusterHarness.PeopleBindings(),
            RbacObjects.Role(ClusterHarness.Ns, "debugger", [RbacObjects.Rule(["get", "patch", "update"], [""], ["pods/ephemeralcontainers"])]),
            RbacObjects.RoleBinding(ClusterHarness.Ns, "developers-debug", "Role", "debugger", RbacObjects.Group("developers")),
        ]).Authorize;
        _cluster.Api.WriteKubeconfig(Path.Combine(_cluster.Dir, "carol.kubeconfig"), "carol", ClusterHarness.Ns);
        _admission = await _cluster.StartAdmissionAsync();
        // The seeded Deployment's Pods were made before the webhook was registered: they stand for a running workload.
        await Wait.UntilAsync(() => Pods().Count == 2, TimeSpan.FromSeconds(15), () => "the seeded Deployment's pods\n" + _cluster.Logs);
    }

    private List<JsonObject> Pods() =>
        [.. _cluster.Api.List("", "pods", ClusterHarness.Ns).Where(p => p["metadata"]?["deletionTimestamp"] is null)];

    private static string Image(JsonObject pod) => pod["spec"]!["containers"]![0]!["image"]!.ToString();

    private async Task<(int Exit, string Out, string Err)> CarolAsync(params string[] args)
    {
        Assert.True(File.Exists(Kubectl), $"{Kubectl} is needed for these tests");
        var start = new ProcessStartInfo(Kubectl);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["KUBECONFIG"] = Path.Combine(_cluster.Dir, "carol.kubeconfig");
        start.Environment["HOME"] = _cluster.Dir;
        return await ProcessExit.RunAsync(start, TimeSpan.FromSeconds(60));
    }

    // what is tried, the kubectl arguments, what the webhook's refusal says.
    public static TheoryData<string, string[], string> Bypasses => new()
    {
        { "a bare Pod", ["run", "shell", "--image=registry.example.com/tools:1", "--restart=Never"],
            "namespace payments is Tier-1: CREATE of Pod payments/shell needs a ChangeApproval" },
        { "a Job", ["create", "job", "once", "--image=registry.example.com/tools:1", "--", "sh", "-c", "id"],
            "namespace payments is Tier-1: CREATE of Job payments/once needs a ChangeApproval" },
        { "a debug container", ["debug", "POD", "--image=busybox:1.36"],
            "namespace payments is Tier-1: adding an ephemeral container (kubectl debug) to Pod payments/POD runs code no approval covered" },
    };

    [Theory]
    [MemberData(nameof(Bypasses))]
    public async Task A_developer_is_refused_with_the_webhooks_message(string what, string[] args, string message)
    {
        var pod = Pods()[0]["metadata"]!["name"]!.ToString();
        var (exit, _, err) = await CarolAsync([.. args.Select(a => a.Replace("POD", pod, StringComparison.Ordinal))]);

        Assert.True(exit == 1, $"{what}: exit {exit}\n{err}");
        Assert.Contains(Webhook + message.Replace("POD", pod, StringComparison.Ordinal), err, StringComparison.Ordinal);
        Assert.Null(_cluster.Api.Get("", "pods", ClusterHarness.Ns, "shell"));
        Assert.Null(_cluster.Api.Get("batch", "jobs", ClusterHarness.Ns, "once"));
        Assert.All(Pods(), p => Assert.Null(p["spec"]!["ephemeralContainers"]));
    }

    [Fact]
    public async Task The_Pods_of_an_approved_Deployment_are_created_and_the_same_image_as_a_bare_Pod_is_not()
    {
        await ApprovedAsync("checkout-2-4-1");
        const string image = "registry.example.com/checkout:2.4.1";

        // The live read before an admission sees the approval even if the watch has not delivered it yet.
        var (exit, _, err) = await CarolAsync("set", "image", "deployment/checkout", $"app={image}");
        Assert.True(exit == 0, err + _admission.Log);

        await Wait.UntilAsync(() => Pods() is { Count: 2 } pods && pods.All(p => Image(p) == image), TimeSpan.FromSeconds(20),
            () => $"two pods of {image}, none of the old image: {string.Join(", ", Pods().Select(Image))}\n{_admission.Log}");
        Assert.Equal(TestApiServer.ControllerAccounts.ReplicaSet, _cluster.Api.Changes.Last(c => c is { Resource: "pods", Type: "ADDED" }).Username);
        Assert.Equal(TestApiServer.ControllerAccounts.ReplicaSet, _cluster.Api.Changes.Last(c => c is { Resource: "pods", Type: "DELETED" }).Username);
        await Wait.UntilAsync(() => DecidedAsController(TestApiServer.ControllerAccounts.ReplicaSet, "CREATE") >= 2 && DecidedAsController(TestApiServer.ControllerAccounts.Deployment, "CREATE") >= 1,
            TimeSpan.FromSeconds(10), () => "controller decisions in the decision log\n" + _admission.Log);

        var (copyExit, _, copyErr) = await CarolAsync("run", "copy", $"--image={image}", "--restart=Never");
        Assert.True(copyExit == 1, copyErr);
        Assert.Contains(Webhook + "namespace payments is Tier-1: CREATE of Pod payments/copy needs a ChangeApproval", copyErr, StringComparison.Ordinal);
        Assert.Null(_cluster.Api.Get("", "pods", ClusterHarness.Ns, "copy"));
    }

    /// <summary>Decision log lines for writes by <paramref name="user"/> that the webhook admitted as a trusted controller's.</summary>
    private int DecidedAsController(string user, string operation) =>
        _admission.Output.Count(l => l.Contains($"user={user} operation={operation} ", StringComparison.Ordinal)
            && l.Contains(" decision=controller ", StringComparison.Ordinal));
}
