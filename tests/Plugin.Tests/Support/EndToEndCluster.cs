using Admission.Tests.Shared;
using Admission.TestApiServer.Auth.Rbac;

namespace Admission.Plugin.Tests.Support;

/// <summary>
/// A whole cluster on loopback for the plugin's end-to-end tests, as an xunit fixture over the shared
/// <see cref="ClusterHarness"/>: the test API server, the real webhook (<c>admission serve</c> in
/// cluster mode, as its own process, watching the API server with the chart's service account's
/// kubeconfig), a ValidatingWebhookConfiguration pointing at it, one kubeconfig per person, and a
/// bin folder holding the <c>kubectl-change</c> wrapper, so that the real <c>/usr/bin/kubectl</c>
/// finds the plugin exactly as a user's kubectl would.
/// </summary>
public class EndToEndCluster : IAsyncLifetime
{
    public const string Kubectl = "/usr/bin/kubectl";
    public const string Namespace = "payments";
    public const string WebhookUser = "system:serviceaccount:admission-system:admission";
    public const string Admin = "admin";

    /// <summary>The people of the docs: carol requests, alice and bob approve, dave is a developer, erin may break glass.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> People = new Dictionary<string, string[]>
    {
        ["carol"] = ["developers"],
        ["alice"] = ["tier1-approvers"],
        ["bob"] = ["tier1-approvers"],
        ["dave"] = ["developers"],
        ["erin"] = ["developers", "tier1-break-glass"],
        [Admin] = ["system:masters"],
    };

    public const string PolicyYaml = """
        apiVersion: approvals.admission.dev/v1alpha1
        kind: AdmissionPolicy
        tier1: {namespaceSelector: {matchLabels: {approvals.admission.dev/tier: "1"}}}
        requiredApprovals: 2
        approverGroups: [tier1-approvers]
        breakGlassGroups: [tier1-break-glass]
        maxValidity: 168h
        # The plugin's flows without -f create approvals that bind no change; exact-change
        # requests are tested with requireExactChange on where the plugin records change.
        requireExactChange: false

        """;

    /// <summary>
    /// What a cluster admin would bind for the people: everyone on the team gets the built-in `edit`
    /// in payments and dev (the chart's requester role is aggregated into it). The chart's approver
    /// role is bound cluster-wide to developers as well as approvers: RBAC broader than the policy's
    /// approverGroups, so that the webhook's own group check is what refuses dave (contract section 3),
    /// as it would in such a cluster. The policy ConfigMap is read under the chart's own
    /// policy-reader Role (bound to system:authenticated by default), not a binding made here.
    /// Admin is in system:masters.
    /// </summary>
    public static IReadOnlyList<JsonObject> PeopleBindings() =>
    [
        RbacObjects.RoleBinding(Namespace, "team-edit", "ClusterRole", "edit", RbacObjects.Group("developers"), RbacObjects.Group("tier1-approvers")),
        RbacObjects.RoleBinding("dev", "team-edit", "ClusterRole", "edit", RbacObjects.Group("developers"), RbacObjects.Group("tier1-approvers")),
        RbacObjects.ClusterRoleBinding("change-approvers", "admission-approver", RbacObjects.Group("tier1-approvers"), RbacObjects.Group("developers")),
    ];

    /// <summary>The policy the webhook and the plugin read; a subclass turns requireExactChange on (the product's default).</summary>
    protected virtual string Policy => PolicyYaml;

    private ClusterHarness? _harness;

    /// <summary>The shared end-to-end cluster (tests/Shared) this suite runs on, with the plugin's people and policy.</summary>
    internal ClusterHarness Harness => _harness!;

    public TestApiServer.TestApiServer Server => Harness.Api;

    public string Dir => Harness.Dir;

    public string BinDir => Path.Combine(Dir, "bin");

    public string WebhookLog => _harness?.Logs ?? "";

    public string Kubeconfig(string user) => Harness.Kubeconfig(user);

    public static bool KubectlAvailable => File.Exists(Kubectl);

    public async Task InitializeAsync()
    {
        _harness = await ClusterHarness.StartAsync(new ClusterSetup
        {
            People = People,
            Replicas = [ChartRbac.ServiceAccount],
            Bindings = PeopleBindings(),
            OtherNamespaces = ["dev"],
            Policy = Policy,
            SeedCheckout = false,
        });
        Directory.CreateDirectory(Path.Combine(Dir, "home"));
        Directory.CreateDirectory(BinDir);

        // The plugin, installed the way the docs say: an executable named kubectl-change on PATH.
        var wrapper = Path.Combine(BinDir, "kubectl-change");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec dotnet \"{RepoPaths.PluginDll}\" \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);

        // Cluster mode as its own process; a loaded machine may take long to start it.
        await Harness.StartAdmissionAsync(readyTimeout: TimeSpan.FromSeconds(90), environment: new Dictionary<string, string>
        {
            ["ADMISSION_LIVE_READ_TIMEOUT"] = "5s",
            ["ADMISSION_RETRY_PERIOD"] = "1s",
            ["ADMISSION_APPLIED_CHECK_INTERVAL"] = "500ms",
        });
        SeedWorkload("registry.example.com/checkout:2.4.0");
        SeedWorkload("registry.example.com/cart:1.0.0", "cart");
    }

    public void SeedWorkload(string image, string name = "checkout") =>
        Server.Seed((JsonObject)JsonNode.Parse(DeploymentYamlAsJson(name, image))!);

    /// <summary>A change approval stored directly, bypassing the webhook (for states that take time to reach, such as expired).</summary>
    public void SeedApproval(string name, string target, string requestedBy, DateTimeOffset expiresAt, params string[] approvers)
    {
        var entries = new JsonArray([.. approvers.Select(a => (JsonNode)new JsonObject
        {
            ["approver"] = a,
            ["approvedAt"] = ClusterHarness.Time(expiresAt.AddHours(-1)),
        })]);
        Server.Seed(new JsonObject
        {
            ["apiVersion"] = "approvals.admission.dev/v1alpha1",
            ["kind"] = "ChangeApproval",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Namespace },
            ["spec"] = new JsonObject
            {
                ["target"] = new JsonObject { ["apiGroup"] = "apps", ["kind"] = "Deployment", ["name"] = target },
                ["operations"] = new JsonArray("CREATE", "UPDATE"),
                ["reason"] = "Roll out 2.4.1",
                ["requestedBy"] = requestedBy,
                ["expiresAt"] = ClusterHarness.Time(expiresAt),
                ["approvals"] = entries,
            },
        });
    }

    public static string DeploymentYaml(string name, string image, string logLevel = "info") => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
          namespace: payments
          labels:
            app: {name}
        spec:
          replicas: 2
          selector:
            matchLabels:
              app: {name}
          template:
            metadata:
              labels:
                app: {name}
            spec:
              containers:
              - name: app
                image: {image}
                env:
                - name: LOG_LEVEL
                  value: {logLevel}

        """;

    /// <summary>The object as kubectl apply would have left it, last-applied annotation included, so later applies patch cleanly.</summary>
    private static string DeploymentYamlAsJson(string name, string image)
    {
        var applied = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"NAME"},"name":"NAME","namespace":"payments"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"NAME"}},"template":{"metadata":{"labels":{"app":"NAME"}},"spec":{"containers":[{"env":[{"name":"LOG_LEVEL","value":"info"}],"image":"IMAGE","name":"app"}]}}}}
            """.Trim().Replace("NAME", name, StringComparison.Ordinal).Replace("IMAGE", image, StringComparison.Ordinal);
        var obj = JsonNode.Parse(applied)!.AsObject();
        obj["metadata"]!["annotations"] = new JsonObject { ["kubectl.kubernetes.io/last-applied-configuration"] = applied + "\n" };
        return obj.ToJsonString();
    }

    /// <summary>Writes a file where kubectl runs, and returns its name relative to there (as a user would type it).</summary>
    public string WriteFile(string name, string text)
    {
        File.WriteAllText(Path.Combine(Dir, name), text, new UTF8Encoding(false));
        return name;
    }

    /// <summary>
    /// checkout at 2.4.1 as a manifest, and the same with LOG_LEVEL debug (one value that differs),
    /// for the stories that apply an approved change and then another; fails first when kubectl is
    /// not installed.
    /// </summary>
    public (string Manifest, string WithDebug) CheckoutManifests()
    {
        Assert.True(KubectlAvailable, $"{Kubectl} is required for the end-to-end tests");
        return (WriteFile("checkout-2.4.1.yaml", DeploymentYaml("checkout", "registry.example.com/checkout:2.4.1")),
            WriteFile("checkout-2.4.1-debug.yaml", DeploymentYaml("checkout", "registry.example.com/checkout:2.4.1", "debug")));
    }

    /// <summary>Runs the real kubectl as <paramref name="user"/>, with the plugin on PATH.</summary>
    public Task<ProcessResult> KubectlAsync(string user, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var env = new Dictionary<string, string?>
        {
            ["KUBECONFIG"] = Kubeconfig(user),
            ["PATH"] = BinDir + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
            ["HOME"] = Path.Combine(Dir, "home"),
            ["KUBECTL_CHANGE_USER"] = null,
            ["NO_COLOR"] = "1",
        };
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>()) env[k] = v;
        return Processes.RunAsync(Kubectl, args, env, TimeSpan.FromSeconds(120), workingDirectory: Dir);
    }

    public Task<ProcessResult> KubectlAsync(string user, params string[] args) => KubectlAsync(user, null, args);

    public async Task DisposeAsync()
    {
        if (_harness is null) return;
        await _harness.DisposeAsync();
        Transcript.SaveFile(GetType() == typeof(EndToEndCluster) ? "webhook.log" : "webhook-exact.log", _harness.Logs);
    }
}

[CollectionDefinition(Name)]
public sealed class EndToEndGroup : ICollectionFixture<EndToEndCluster>
{
    public const string Name = "end-to-end";
}

/// <summary>The same cluster with the policy's default requireExactChange: true, for the exact-change story.</summary>
public sealed class ExactChangeCluster : EndToEndCluster
{
    protected override string Policy => PolicyYaml.Replace("requireExactChange: false", "requireExactChange: true", StringComparison.Ordinal);
}

[CollectionDefinition(Name)]
public sealed class ExactChangeGroup : ICollectionFixture<ExactChangeCluster>
{
    public const string Name = "end-to-end, exact changes";
}
