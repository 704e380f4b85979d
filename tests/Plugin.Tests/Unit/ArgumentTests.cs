using Admission.Kubernetes;
namespace Admission.Plugin.Tests.Unit;

public class ArgumentTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 6, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Each kind, and every way kubectl lets it be written before /NAME.</summary>
    private static readonly Dictionary<(string Group, string Kind), string[]> Spellings = new()
    {
        [("apps", "Deployment")] = ["deployment", "deployments", "deploy", "Deployment", "deployment.apps", "deployments.v1.apps"],
        [("apps", "StatefulSet")] = ["statefulset", "sts"],
        [("apps", "DaemonSet")] = ["daemonset", "ds"],
        [("argoproj.io", "Rollout")] = ["Rollout.argoproj.io"],
    };

    public static TheoryData<string, string, string> Targets()
    {
        var targets = new TheoryData<string, string, string>();
        foreach (var ((group, kind), spellings) in Spellings)
        {
            foreach (var spelling in spellings) targets.Add($"{spelling}/checkout", group, kind);
        }
        return targets;
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Kinds_are_written_as_kubectl_writes_them(string text, string group, string kind)
    {
        var target = TargetRef.Parse(text, AdmissionPolicy.Default);
        Assert.Equal((group, kind, "checkout"), (target.Group, target.Kind, target.Name));
    }

    [Fact]
    public void Lower_case_kind_dot_group_is_found_in_the_policy()
    {
        var policy = AdmissionPolicy.Default with { WorkloadKinds = [new WorkloadKind("argoproj.io", "Rollout")] };
        var target = TargetRef.Parse("rollouts.argoproj.io/web", policy);
        Assert.Equal(("argoproj.io", "Rollout", "rollouts"), (target.Group, target.Kind, target.Plural));
        Assert.Equal(new ApiResource("argoproj.io", "v1", "rollouts"), target.Resource);
    }

    /// <summary>What the error must say, and the bad targets (as typed) that must get it.</summary>
    private static readonly Dictionary<string, string[]> BadTargets = new()
    {
        ["is not KIND/NAME"] = ["checkout", "deployment/", "deployment/a/b"],
        ["is not a valid object name"] = ["deployment/Checkout"],
        ["unknown kind \"configmap\""] = ["configmap/checkout"],
        ["unknown kind"] = ["rollout.argoproj.io/x"],
    };

    public static TheoryData<string, string> BadTargetCases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var (expected, texts) in BadTargets)
        {
            foreach (var text in texts) cases.Add(text, expected);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(BadTargetCases))]
    public void Bad_targets_say_what_is_wrong(string text, string expected)
    {
        var e = Assert.Throws<UsageException>(() => TargetRef.Parse(text, AdmissionPolicy.Default));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    private static RequestOptions Parse(string[]? operations = null, string expiresIn = "24h", string? notBefore = null, string reason = "Roll out 2.4.1", string? name = null) =>
        RequestCommand.Parse("deployment/checkout", reason, null, [], null, operations ?? [], expiresIn, notBefore, name, AdmissionPolicy.Default, Now);

    [Fact]
    public void Request_defaults_to_create_and_update_for_24_hours()
    {
        var options = Parse();
        Assert.Equal([Operation.Create, Operation.Update], options.Operations);
        Assert.Equal(TimeSpan.FromHours(24), options.ExpiresIn);
        Assert.Null(options.NotBefore);
    }

    [Fact]
    public void Operations_are_case_insensitive_repeatable_and_comma_separated()
    {
        Assert.Equal([Operation.Delete], Parse(["delete"]).Operations);
        Assert.Equal([Operation.Update, Operation.Delete], Parse(["UPDATE,DELETE", "update"]).Operations);
    }

    [Fact]
    public void Not_before_is_a_time_or_a_duration_from_now()
    {
        Assert.Equal(new DateTimeOffset(2026, 3, 7, 10, 0, 0, TimeSpan.Zero), Parse(notBefore: "2026-03-07T10:00:00Z").NotBefore);
        Assert.Equal(Now.AddHours(2), Parse(notBefore: "2h").NotBefore);
    }

    /// <summary>Each request option (once each), a bad value for it, and what the error must say.</summary>
    private static readonly Dictionary<string, (string Value, string Expected)> BadOptions = new()
    {
        ["--expires-in"] = ("soon", "--expires-in \"soon\" is not a positive duration"),
        ["--operation"] = ("PATCH", "--operation \"PATCH\" is not CREATE, UPDATE or DELETE"),
        ["--not-before"] = ("tomorrow", "--not-before \"tomorrow\" is neither"),
        ["--name"] = ("Bad_Name", "--name \"Bad_Name\" is not a valid name"),
        ["--reason"] = (" ", "--reason must not be empty"),
    };

    public static TheoryData<string> BadOptionNames => [.. BadOptions.Keys];

    [Theory]
    [MemberData(nameof(BadOptionNames))]
    public async Task Bad_request_options_are_usage_errors_with_exit_2(string option)
    {
        var (value, expected) = BadOptions[option];
        var cluster = new FakeCluster(Now);
        var args = new List<string> { "request", "deployment/checkout" };
        if (option != "--reason") args.AddRange(["--reason", "why"]);
        args.AddRange([option, value]);
        var result = await Support.Plugin.RunAsync(cluster, "carol", [.. args]);
        Assert.Equal(2, result.Exit);
        Assert.Contains(expected, result.Err, StringComparison.Ordinal);
        Assert.Contains("See 'kubectl change request --help'.", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(cluster.Calls, c => c.Contains("create", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Missing_reason_is_a_parse_error()
    {
        var result = await Support.Plugin.RunAsync(new FakeCluster(Now), "carol", "request", "deployment/checkout");
        Assert.Equal(2, result.Exit);
        Assert.Contains("Option '--reason' is required.", result.Err, StringComparison.Ordinal);
        Assert.Contains("See 'kubectl change request --help'.", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reason_over_1024_characters_is_refused_before_sending()
    {
        var result = await Support.Plugin.RunAsync(new FakeCluster(Now), "carol", "request", "deployment/checkout", "--reason", new string('x', 1025));
        Assert.Equal(2, result.Exit);
        Assert.Contains("--reason is 1025 characters; at most 1024 are allowed", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_options_and_commands_are_parse_errors()
    {
        var cluster = new FakeCluster(Now);
        var unknown = await Support.Plugin.RunAsync(cluster, "carol", "list", "--bogus");
        Assert.Equal(2, unknown.Exit);
        Assert.Contains("--bogus", unknown.Err, StringComparison.Ordinal);
        Assert.Contains("See 'kubectl change list --help'.", unknown.Err, StringComparison.Ordinal);
        var none = await Support.Plugin.RunAsync(cluster, "carol");
        Assert.Equal(2, none.Exit);
        Assert.Contains("a command is required", none.Err, StringComparison.Ordinal);
        var badOutput = await Support.Plugin.RunAsync(cluster, "carol", "list", "-o", "wide");
        Assert.Equal(2, badOutput.Exit);
    }

    [Fact]
    public async Task Help_describes_every_command_and_option()
    {
        var cluster = new FakeCluster(Now);
        var root = await Support.Plugin.RunAsync(cluster, "carol", "--help");
        Assert.Equal(0, root.Exit);
        foreach (var command in new[] { "request", "approve", "withdraw", "list", "show", "why" })
        {
            Assert.Contains(command, root.Out, StringComparison.Ordinal);
            var help = await Support.Plugin.RunAsync(cluster, "carol", command, "--help");
            Assert.Equal(0, help.Exit);
            Assert.Contains("--kubeconfig", help.Out, StringComparison.Ordinal);
            Assert.Contains("--context", help.Out, StringComparison.Ordinal);
            Assert.Contains("-n, --namespace", help.Out, StringComparison.Ordinal);
        }
        var request = await Support.Plugin.RunAsync(cluster, "carol", "request", "--help");
        foreach (var option in new[] { "--reason", "--ticket", "--image", "--from-file", "--operation", "--expires-in", "--not-before", "--name" })
        {
            Assert.Contains(option, request.Out, StringComparison.Ordinal);
        }
        Assert.Empty(cluster.Calls);
    }

    [Fact]
    public void Built_change_approval_follows_the_contract()
    {
        var options = RequestCommand.Parse("sts/db", "Upgrade", "CHG-1", ["db:2"], null, ["UPDATE"], "2h", "2026-03-06T10:00:00Z", null, AdmissionPolicy.Default, Now);
        var body = RequestCommand.Build("db-abcde", "payments", options, ["db:2"], "carol", Now);
        Assert.Equal("""
            {"apiVersion":"approvals.admission.dev/v1alpha1","kind":"ChangeApproval","metadata":{"name":"db-abcde","namespace":"payments"},"spec":{"target":{"apiGroup":"apps","kind":"StatefulSet","name":"db"},"operations":["UPDATE"],"images":["db:2"],"reason":"Upgrade","ticket":"CHG-1","requestedBy":"carol","notBefore":"2026-03-06T10:00:00Z","expiresAt":"2026-03-06T12:00:00Z","approvals":[]}}
            """.Trim(), body.ToJsonString());
    }

    /// <summary>
    /// Writes <paramref name="content"/> as the file <paramref name="name"/> in a new temporary
    /// folder, runs <paramref name="test"/> on the file's path, and removes the folder.
    /// </summary>
    private static void WithFile(string name, string content, Action<string> test)
    {
        var dir = Directory.CreateTempSubdirectory("plugin-args-");
        try
        {
            var file = Path.Combine(dir.FullName, name);
            File.WriteAllText(file, content);
            test(file);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Images_come_from_the_manifests_matching_object()
    {
        WithFile("deploy.yaml", """
            apiVersion: v1
            kind: Service
            metadata: {name: checkout}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: checkout}
            spec:
              template:
                spec:
                  initContainers: [{name: init, image: "busybox:1.36"}]
                  containers:
                  - {name: app, image: "registry.example.com/checkout:2.4.1"}
                  - {name: sidecar, image: "envoy:1.30"}
            """, file =>
        {
            var target = TargetRef.Parse("deploy/checkout", AdmissionPolicy.Default);
            Assert.Equal(new[] { "busybox:1.36", "registry.example.com/checkout:2.4.1", "envoy:1.30" }.Order(), RequestCommand.ImagesFromManifest(file, target).Order());
            var other = TargetRef.Parse("deploy/cart", AdmissionPolicy.Default);
            var e = Assert.Throws<UsageException>(() => RequestCommand.ImagesFromManifest(file, other));
            Assert.Contains("holds no Deployment named cart (it holds: Service checkout, Deployment checkout)", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Kubeconfig_files_follow_kubectls_precedence()
    {
        WithFile("a", "", a =>
        {
            var dir = Path.GetDirectoryName(a)!;
            var b = Path.Combine(dir, "b");
            File.WriteAllText(b, "");
            var env = new Dictionary<string, string?> { ["KUBECONFIG"] = $"{a}{Path.PathSeparator}{Path.Combine(dir, "missing")}{Path.PathSeparator}{b}", ["HOME"] = dir };
            Assert.Equal([a, b], KubeconfigFiles.Resolve(null, n => env.GetValueOrDefault(n)));
            Assert.Equal([b], KubeconfigFiles.Resolve(b, n => env.GetValueOrDefault(n)));
            Assert.Throws<KubeconfigException>(() => KubeconfigFiles.Resolve(Path.Combine(dir, "nope"), n => env.GetValueOrDefault(n)));
            env.Remove("KUBECONFIG");
            var e = Assert.Throws<KubeconfigException>(() => KubeconfigFiles.Resolve(null, n => env.GetValueOrDefault(n)));
            Assert.Contains("set KUBECONFIG or pass --kubeconfig FILE", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Namespace_comes_from_the_flag_then_the_context_then_default()
    {
        WithFile("config", """
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: {server: "https://127.0.0.1:1"}
            users:
            - name: u
              user: {token: t}
            contexts:
            - name: with-ns
              context: {cluster: c, user: u, namespace: payments}
            - name: without-ns
              context: {cluster: c, user: u}
            current-context: with-ns
            """, file =>
        {
            var connector = new KubeConnector(_ => null);
            string NamespaceOf(string? context, string? ns)
            {
                var connection = connector.Connect(new KubeSelection(file, context, ns));
                connection.Client.Dispose();
                return connection.Namespace;
            }
            Assert.Equal("payments", NamespaceOf(null, null));
            Assert.Equal("default", NamespaceOf("without-ns", null));
            Assert.Equal("shop", NamespaceOf(null, "shop"));
            var e = Assert.Throws<KubeconfigException>(() => connector.Connect(new KubeSelection(file, "nope", null)));
            Assert.Contains("context \"nope\" is not in kubeconfig", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Api_errors_keep_the_servers_words()
    {
        var e = ApiError.FromResponse(404, """{"kind":"Status","status":"Failure","message":"changeapprovals.approvals.admission.dev \"x\" not found","reason":"NotFound","details":{"name":"x"},"code":404}""", "Not Found");
        Assert.Equal((404, "NotFound", "x"), (e.StatusCode, e.Reason, e.DetailsName));
        var plain = ApiError.FromResponse(502, "<html>bad gateway</html>", "Bad Gateway");
        Assert.Equal("<html>bad gateway</html>", plain.Message);
        Assert.Equal("text with \"quotes\"", WarningHeaders.Parse("299 - \"text with \\\"quotes\\\"\""));
    }
}
