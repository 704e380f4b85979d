namespace Admission.Plugin.Tests.EndToEnd;

/// <summary>What kubectl itself shows around the plugin: help, output formats, errors, break glass.</summary>
[Collection(EndToEndGroup.Name)]
public sealed class KubectlTests(EndToEndCluster cluster) : TranscribedTests("kubectl-" + Guid.NewGuid().ToString("N")[..6])
{
    private protected override EndToEndCluster Cluster => cluster;

    [Fact]
    public async Task Kubectl_finds_the_plugin_and_its_help()
    {
        var plugins = await As("carol", null, "plugin", "list");
        Assert.Contains(Path.Combine(cluster.BinDir, "kubectl-change"), plugins.Out, StringComparison.Ordinal);
        var help = await As("carol", null, "change", "--help");
        Assert.Equal(0, help.Exit);
        foreach (var command in new[] { "request", "approve", "withdraw", "list", "show", "why" })
        {
            Assert.Contains(command, help.Out, StringComparison.Ordinal);
        }
        var usage = await As("carol", null, "change", "approve");
        Assert.Equal(2, usage.Exit);
        Assert.Contains("See 'kubectl change approve --help'.", usage.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_in_every_namespace_and_as_yaml()
    {
        var request = await As("carol", null, "change", "request", "deployment/cart", "--reason", "Roll out cart 1.1", "--name", "cart-list");
        Assert.True(request.Exit == 0, request.ToString());
        var all = await As("carol", null, "change", "list", "-A");
        Assert.Matches(@"^NAMESPACE +NAME +TARGET +PHASE +APPROVALS +EXPIRES +AGE\n", all.Out);
        Assert.Matches(@"\npayments +cart-list +Deployment/cart +Pending +0/2 +2[34]h +\S+\n", all.Out);
        var yaml = await As("carol", null, "change", "show", "cart-list", "-o", "yaml");
        Assert.StartsWith("apiVersion: approvals.admission.dev/v1alpha1\nkind: ChangeApproval\nmetadata:\n", yaml.Out, StringComparison.Ordinal);
        Assert.Contains("  requestedBy: carol\n", yaml.Out, StringComparison.Ordinal);
        var none = await As("carol", null, "change", "list", "-n", "dev");
        Assert.Equal((0, "", "No resources found in dev namespace.\n"), (none.Exit, none.Out, none.Err));
    }

    [Fact]
    public async Task Break_glass_is_admitted_with_a_warning()
    {
        var file = cluster.WriteFile("cart-hotfix.yaml", EndToEndCluster.DeploymentYaml("cart", "registry.example.com/cart:1.0.1-hotfix").Replace(
            "  labels:\n    app: cart\n", "  labels:\n    app: cart\n  annotations:\n    approvals.admission.dev/break-glass: \"INC-4711: checkout down, hotfix\"\n", StringComparison.Ordinal));
        var result = await As("erin", "erin is in tier1-break-glass and states a reason", "apply", "-f", file);
        Assert.True(result.Exit == 0, result.ToString());
        Assert.Equal("deployment.apps/cart configured\n", result.Out);
        Assert.Contains("Warning: BREAK-GLASS: UPDATE of Deployment payments/cart by erin without approval (reason: \"INC-4711: checkout down, hotfix\"); " +
                        "this is audited and must be reviewed\n", result.Err, StringComparison.Ordinal);
        Assert.Contains("break-glass", cluster.WebhookLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scaling_needs_no_approval()
    {
        var result = await As("carol", "changing only the replica count needs no approval", "scale", "deployment/checkout", "--replicas=3");
        Assert.True(result.Exit == 0, result.ToString());
        Assert.Equal("deployment.apps/checkout scaled\n", result.Out);
    }

    [Fact]
    public async Task Unknown_change_approval()
    {
        var result = await As("alice", null, "change", "approve", "nope");
        Assert.Equal(1, result.Exit);
        Assert.Equal("error: changeapproval \"nope\" not found in namespace payments; list them with: kubectl change list -n payments\n", result.Err);
    }

    [Fact]
    public async Task Wrong_credentials()
    {
        var kubeconfig = Path.Combine(cluster.Dir, "kube", "carol-expired");
        File.WriteAllText(kubeconfig, File.ReadAllText(cluster.Kubeconfig("carol")).Replace("carol-token", "expired-token", StringComparison.Ordinal));
        var result = await AsWith("carol", new Dictionary<string, string?> { ["KUBECONFIG"] = kubeconfig }, "a token the API server no longer accepts", "change", "list");
        Assert.Equal(1, result.Exit);
        Assert.Equal($"error: the API server at {cluster.Server.BaseUrl} did not accept your credentials (401 Unauthorized, context admission-test); " +
                     "log in again or fix the user in your kubeconfig.\n", result.Err);
    }

    [Fact]
    public async Task Server_not_running()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        var kubeconfig = Path.Combine(cluster.Dir, "kube", "carol-down");
        File.WriteAllText(kubeconfig, File.ReadAllText(cluster.Kubeconfig("carol")).Replace(cluster.Server.BaseUrl, $"https://127.0.0.1:{port}", StringComparison.Ordinal));
        var result = await AsWith("carol", new Dictionary<string, string?> { ["KUBECONFIG"] = kubeconfig }, "nothing listens at the kubeconfig's server", "change", "list");
        Assert.Equal(1, result.Exit);
        Assert.Equal($"error: cannot reach the API server at https://127.0.0.1:{port}: connection refused (context admission-test). Is the cluster up, and is your kubeconfig current?\n", result.Err);
    }

    [Fact]
    public async Task No_kubeconfig()
    {
        var missing = Path.Combine(cluster.Dir, "no-such-kubeconfig");
        var result = await AsWith("carol", new Dictionary<string, string?> { ["KUBECONFIG"] = missing }, null, "change", "list");
        Assert.Equal(1, result.Exit);
        Assert.Equal($"error: none of the files in KUBECONFIG ({missing}) exists\n", result.Err);
    }
}
