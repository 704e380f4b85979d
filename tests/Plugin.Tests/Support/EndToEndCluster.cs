using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Admission.TestApiServer;
using Admission.TestApiServer.Auth.Rbac;

namespace Admission.Plugin.Tests.Support;

/// <summary>
/// A whole cluster on loopback for end-to-end tests: the test API server, the real webhook
/// (<c>admission serve</c> in cluster mode, as its own process, watching the API server with a
/// service account's kubeconfig), a ValidatingWebhookConfiguration pointing at it, one kubeconfig
/// per person, and a bin folder holding the <c>kubectl-change</c> wrapper, so that the real
/// <c>/usr/bin/kubectl</c> finds the plugin exactly as a user's kubectl would.
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
        tier1:
          namespaceSelector:
            matchLabels:
              approvals.admission.dev/tier: "1"
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

    private BackgroundProcess? _webhook;
    private DirectoryInfo? _dir;

    public TestApiServer.TestApiServer Server { get; private set; } = null!;

    public string Dir => _dir!.FullName;

    public string BinDir => Path.Combine(Dir, "bin");

    public string WebhookLog => _webhook?.Output ?? "";

    public Uri WebhookUrl { get; private set; } = null!;

    public string Kubeconfig(string user) => Path.Combine(Dir, "kube", user);

    public static bool KubectlAvailable => File.Exists(Kubectl);

    public async Task InitializeAsync()
    {
        _dir = Directory.CreateTempSubdirectory("plugin-e2e-");
        Directory.CreateDirectory(Path.Combine(Dir, "kube"));
        Directory.CreateDirectory(Path.Combine(Dir, "home"));
        Directory.CreateDirectory(BinDir);

        Server = await TestApiServer.TestApiServer.StartAsync(new TestApiServerOptions { BookmarkInterval = TimeSpan.FromSeconds(1) });
        Server.Authorize = Admission.Tests.Shared.ChartRbac.Authorizer([], PeopleBindings()).Authorize;
        Server.Seed(NamespaceObject(Namespace, new() { ["approvals.admission.dev/tier"] = "1" }));
        Server.Seed(NamespaceObject("dev", []));
        Server.Seed(NamespaceObject("admission-system", []));
        foreach (var (user, groups) in People)
        {
            Server.AddUser($"{user}-token", user, groups);
            Server.WriteKubeconfig(Kubeconfig(user), user, Namespace);
        }
        Server.AddUser("webhook-token", WebhookUser, ["system:serviceaccounts", "system:serviceaccounts:admission-system"]);
        Server.WriteKubeconfig(Kubeconfig("webhook"), WebhookUser, "admission-system");
        Server.Seed(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "admission-policy", ["namespace"] = "admission-system" },
            ["data"] = new JsonObject { ["policy.yaml"] = Policy },
        });
        var policyFile = Path.Combine(Dir, "policy.yaml");
        await File.WriteAllTextAsync(policyFile, Policy);

        // The plugin, installed the way the docs say: an executable named kubectl-change on PATH.
        var wrapper = Path.Combine(BinDir, "kubectl-change");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec dotnet \"{RepoPaths.PluginDll}\" \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);

        await StartWebhookAsync(policyFile);
        SeedWorkload("registry.example.com/checkout:2.4.0");
        SeedWorkload("registry.example.com/cart:1.0.0", "cart");
    }

    private async Task StartWebhookAsync(string policyFile)
    {
        var port = FreePort();
        WebhookUrl = new Uri($"https://127.0.0.1:{port}");
        var tls = Path.Combine(Dir, "tls");
        _webhook = new BackgroundProcess("dotnet",
        [
            RepoPaths.AdmissionDll, "serve",
            "--kubeconfig", Kubeconfig("webhook"),
            "--namespace", "admission-system",
            "--listen", WebhookUrl.ToString().TrimEnd('/'),
            "--tls-dir", tls,
            "--policy", policyFile,
            "--lease-name", "admission-leader",
        ], new Dictionary<string, string?>
        {
            ["ADMISSION_LIVE_READ_TIMEOUT"] = "5s",
            ["ADMISSION_LEASE_DURATION"] = "4s",
            ["ADMISSION_RENEW_DEADLINE"] = "3s",
            ["ADMISSION_RETRY_PERIOD"] = "1s",
            ["ADMISSION_APPLIED_CHECK_INTERVAL"] = "500ms",
            ["KUBERNETES_SERVICE_HOST"] = null,
        });

        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        string last = "";
        while (true)
        {
            if (_webhook.HasExited) throw new InvalidOperationException("admission serve exited:\n" + _webhook.Output);
            try
            {
                using var response = await http.GetAsync(new Uri(WebhookUrl, "/readyz"));
                last = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK) break;
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"admission serve not ready: {last}\n{_webhook.Output}");
            await Task.Delay(250);
        }

        var ca = await File.ReadAllTextAsync(Path.Combine(tls, "ca.crt"));
        Server.Seed(Admission.Tests.Shared.ChartWebhooks.Render(new Uri(WebhookUrl, "/validate").ToString(), ca));
    }

    public void SeedWorkload(string image, string name = "checkout") =>
        Server.Seed((JsonObject)JsonNode.Parse(DeploymentYamlAsJson(name, image))!);

    /// <summary>A change approval stored directly, bypassing the webhook (for states that take time to reach, such as expired).</summary>
    public void SeedApproval(string name, string target, string requestedBy, DateTimeOffset expiresAt, params string[] approvers)
    {
        var entries = new JsonArray([.. approvers.Select(a => (JsonNode)new JsonObject
        {
            ["approver"] = a,
            ["approvedAt"] = expiresAt.AddHours(-1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
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
                ["expiresAt"] = expiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
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
        if (_webhook is not null)
        {
            await _webhook.DisposeAsync();
            Transcript.SaveFile(GetType() == typeof(EndToEndCluster) ? "webhook.log" : "webhook-exact.log", _webhook.Output);
        }
        if (Server is not null) await Server.DisposeAsync();
        try
        {
            _dir?.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static JsonObject NamespaceObject(string name, Dictionary<string, string> labels) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject([.. labels.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)), KeyValuePair.Create("kubernetes.io/metadata.name", (JsonNode?)name)]),
        },
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
