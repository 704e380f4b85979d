namespace Admission.TestApiServer.Tests;

/// <summary>The real kubectl binary against the server, with a generated kubeconfig.</summary>
public sealed class KubectlTests : IAsyncLifetime
{
    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: payments
          labels: {app: web}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: app
                image: IMAGE
                ports: [{containerPort: 80}]
                env: [{name: MODE, value: prod}]
        """;

    private TestApiServer _server = null!;
    private Kubectl _kubectl = null!;

    public async Task InitializeAsync()
    {
        _server = await Servers.StartAsync();
        _kubectl = new Kubectl(_server, Servers.Alice, "payments");
    }

    public async Task DisposeAsync()
    {
        _kubectl.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Namespaces_create_get_and_whoami()
    {
        Ok(await _kubectl.RunAsync("create", "namespace", "payments"));
        var (_, table, _) = Ok(await _kubectl.RunAsync("get", "ns"));
        var rows = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+STATUS\s+AGE$", rows[0]);
        Assert.Contains(rows, r => System.Text.RegularExpressions.Regex.IsMatch(r, @"^payments\s+Active\s+\d+s$"));
        Assert.Contains(rows, r => r.StartsWith("kube-system ", StringComparison.Ordinal));

        var (_, labels, _) = Ok(await _kubectl.RunAsync("get", "ns", "payments", "-o", "jsonpath={.metadata.labels}"));
        Assert.Equal("""{"kubernetes.io/metadata.name":"payments"}""", labels);

        var (_, whoami, _) = Ok(await _kubectl.RunAsync("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"));
        Assert.Equal("alice", whoami);
    }

    [Fact]
    public async Task Typed_commands_that_send_protobuf_work_for_the_types_decoded()
    {
        _server.Seed(Servers.Namespace("payments"));
        Ok(await _kubectl.RunAsync("create", "configmap", "settings", "--from-literal=mode=prod"));
        Ok(await _kubectl.RunAsync("create", "secret", "generic", "token", "--from-literal=key=s3cret"));
        Assert.Equal("""{"mode":"prod"}""", _server.Get("", "configmaps", "payments", "settings")!["data"]!.ToJsonString());
        var secret = _server.Get("", "secrets", "payments", "token")!;
        Assert.Equal(Convert.ToBase64String("s3cret"u8.ToArray()), secret["data"]!["key"]!.ToString());
        Assert.Equal("Opaque", secret["type"]!.ToString());

        _server.Authorize = a => a.Verb != "delete";
        Assert.Equal("yes\n", Ok(await _kubectl.RunAsync("auth", "can-i", "create", "deployments")).Stdout);
        var (code, no, _) = await _kubectl.RunAsync("auth", "can-i", "delete", "deployments");
        Assert.Equal((1, "no\n"), (code, no));

        var (refused, _, unsupported) = await _kubectl.RunAsync("create", "deployment", "web", "--image=nginx");
        Assert.Equal(1, refused);
        Assert.Contains("unknown format", unsupported);
    }

    [Fact]
    public async Task Deployment_create_apply_replace_scale_and_delete()
    {
        _server.Seed(Servers.Namespace("payments"));
        var v1 = _kubectl.Write("v1.yaml", Deployment.Replace("IMAGE", "nginx:1", StringComparison.Ordinal));
        var v2 = _kubectl.Write("v2.yaml", Deployment.Replace("IMAGE", "nginx:2", StringComparison.Ordinal));
        var v3 = _kubectl.Write("v3.yaml", Deployment.Replace("IMAGE", "nginx:3", StringComparison.Ordinal));

        Assert.Equal("deployment.apps/web created\n", Ok(await _kubectl.RunAsync("create", "-f", v1)).Stdout);
        Assert.Equal("deployment.apps/web replaced\n", Ok(await _kubectl.RunAsync("replace", "-f", v2)).Stdout);
        Assert.Equal("nginx:2", Image());

        Assert.Contains("deployment.apps/web configured", Ok(await _kubectl.RunAsync("apply", "--server-side=false", "-f", v3)).Stdout);
        var applied = _server.Get("apps", "deployments", "payments", "web")!;
        var container = applied["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("nginx:3", container["image"]!.ToString());
        Assert.Equal("""[{"name":"MODE","value":"prod"}]""", container["env"]!.ToJsonString());
        Assert.Equal(3, applied["metadata"]!["generation"]!.GetValue<int>());
        Assert.NotNull(applied["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]);

        Assert.Contains("deployment.apps/web unchanged", Ok(await _kubectl.RunAsync("apply", "-f", v3)).Stdout);
        Assert.Equal("deployment.apps/web scaled\n", Ok(await _kubectl.RunAsync("scale", "deployment/web", "--replicas=4")).Stdout);
        var (_, row, _) = Ok(await _kubectl.RunAsync("get", "deploy", "web", "--no-headers"));
        Assert.Matches(@"^web\s+0/4\s+0\s+0\s+\d+s\n$", row);

        Assert.Equal("deployment.apps \"web\" deleted\n", Ok(await _kubectl.RunAsync("delete", "-f", v3)).Stdout);
        Assert.Null(_server.Get("apps", "deployments", "payments", "web"));
        var (code, _, notFound) = await _kubectl.RunAsync("get", "deploy", "web");
        Assert.Equal(1, code);
        Assert.Equal("Error from server (NotFound): deployments.apps \"web\" not found\n", notFound);
    }

    [Fact]
    public async Task ChangeApprovals_are_discoverable_by_plural_and_short_name()
    {
        _server.Seed(Servers.Namespace("payments"));
        var file = _kubectl.Write("approval.json", Servers.ChangeApproval("payments", "web-1").ToJsonString());
        Assert.Equal("changeapproval.approvals.admission.dev/web-1 created\n", Ok(await _kubectl.RunAsync("create", "-f", file)).Stdout);

        var (_, table, _) = Ok(await _kubectl.RunAsync("get", "changeapprovals"));
        Assert.Matches(@"^NAME\s+TARGET\s+PHASE\s+EXPIRES\s+AGE\nweb-1\s+Deployment/web\s+2030-01-01T00:00:00Z\s+\d+s\n$", table);
        var (_, all, _) = Ok(await _kubectl.RunAsync("get", "approval", "-A", "--no-headers"));
        Assert.StartsWith("payments ", all);
        var (_, defaults, _) = Ok(await _kubectl.RunAsync("get", "approval", "web-1", "-o", "jsonpath={.spec.target.apiGroup} {.spec.operations}"));
        Assert.Equal("""apps ["CREATE","UPDATE"]""", defaults);

        Ok(await _kubectl.RunAsync("patch", "approval", "web-1", "--subresource=status", "--type=merge", "-p", """{"status":{"phase":"Approved"}}"""));
        Assert.Equal("Approved", _server.Get("approvals.admission.dev", "changeapprovals", "payments", "web-1")!["status"]!["phase"]!.ToString());
        Assert.Equal("changeapproval.approvals.admission.dev \"web-1\" deleted\n", Ok(await _kubectl.RunAsync("delete", "approval", "web-1")).Stdout);
    }

    [Fact]
    public async Task Webhook_denials_warnings_and_server_dry_runs_show_up_in_kubectl()
    {
        _server.Seed(Servers.Namespace("payments"));
        await using var webhook = await TestWebhook.StartAsync();
        _server.Seed(Webhooks.Configuration("approvals.admission.dev", Webhooks.Url(webhook), ["deployments"]));
        var manifest = _kubectl.Write("web.yaml", Deployment.Replace("IMAGE", "nginx:1", StringComparison.Ordinal));

        // kubectl names the reason only when the webhook gave one, as against kube-apiserver.
        webhook.Respond = _ => TestWebhook.Deny("namespace \"payments\" is Tier-1 and no ChangeApproval targets Deployment web", 403, "Forbidden");
        var (code, _, stderr) = await _kubectl.RunAsync("apply", "-f", manifest);
        Assert.Equal(1, code);
        Assert.Equal("Error from server (Forbidden): error when creating \"" + manifest + "\": admission webhook \"approvals.admission.dev\" denied the request: namespace \"payments\" is Tier-1 and no ChangeApproval targets Deployment web\n", stderr);
        webhook.Respond = _ => TestWebhook.Deny("no reason given");
        (code, _, stderr) = await _kubectl.RunAsync("create", "-f", manifest);
        Assert.Equal(1, code);
        Assert.Equal("Error from server: error when creating \"" + manifest + "\": admission webhook \"approvals.admission.dev\" denied the request: no reason given\n", stderr);

        webhook.Respond = r => TestWebhook.Allow(r["dryRun"]!.GetValue<bool>() ? "dry run: approval web-1 has 1 of 2 approvals" : "admitted");
        var (_, dryOut, dryErr) = Ok(await _kubectl.RunAsync("apply", "--dry-run=server", "-f", manifest));
        Assert.Equal("deployment.apps/web created (server dry run)\n", dryOut);
        Assert.Equal("Warning: dry run: approval web-1 has 1 of 2 approvals\n", dryErr);
        Assert.Null(_server.Get("apps", "deployments", "payments", "web"));

        var (_, _, realErr) = Ok(await _kubectl.RunAsync("apply", "-f", manifest));
        Assert.Equal("Warning: admitted\n", realErr);
        Assert.NotNull(_server.Get("apps", "deployments", "payments", "web"));
        Assert.Equal([true, false], webhook.Requests.Where(r => r["operation"]!.ToString() == "CREATE").Skip(2).Select(r => r["dryRun"]!.GetValue<bool>()).ToArray());
    }

    private string Image() =>
        _server.Get("apps", "deployments", "payments", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.ToString();

    private static (int ExitCode, string Stdout, string Stderr) Ok((int ExitCode, string Stdout, string Stderr) result)
    {
        Assert.True(result.ExitCode == 0, $"kubectl failed ({result.ExitCode}): {result.Stderr}");
        return result;
    }
}
