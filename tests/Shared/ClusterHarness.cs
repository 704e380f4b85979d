using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Admission.Policies.Model;
using Admission.TestApiServer.Auth.Rbac;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Admission.Tests.Shared;

/// <summary>
/// The one end-to-end cluster of the test projects: a test API server that authorizes with the
/// chart's own RBAC, the people of a story (each a token and a kubeconfig), a Tier-1 namespace
/// <c>payments</c> (holding Deployment <c>checkout</c> unless told otherwise), and <c>admission
/// serve</c> processes registered as its validating webhook. <see cref="ClusterSetup"/> says what
/// differs: by default the operator story (carol requests, alice and bob approve, two replicas);
/// the plugin's suite gives its own people, one replica under the chart's service account and a policy.
/// </summary>
internal sealed class ClusterHarness : IAsyncDisposable
{
    public const string Ns = "payments";
    public const string Deployment = "checkout";
    public const string SystemNamespace = "admission-system";

    /// <summary>The story's people and their groups: carol requests, alice and bob approve, admin runs the cluster.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> StoryPeople = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["admin"] = ["system:masters"],
        ["carol"] = ["developers"],
        ["alice"] = ["tier1-approvers"],
        ["bob"] = ["tier1-approvers"],
    };

    private readonly List<AdmissionProcess> _processes = [];
    private readonly Dictionary<string, k8s.Kubernetes> _clients = new(StringComparer.Ordinal);
    private readonly ClusterSetup _setup;
    private int _image = 1;

    private ClusterHarness(TestApiServer.TestApiServer api, string dir, ClusterSetup setup)
    {
        Api = api;
        Dir = dir;
        _setup = setup;
    }

    public TestApiServer.TestApiServer Api { get; }

    public string Dir { get; }

    public string TlsDir => Path.Combine(Dir, "tls");

    /// <summary>Short timings so the tests run in seconds; production defaults are 15 s, 10 s, 2 s.</summary>
    public static readonly Dictionary<string, string> FastTimings = new(StringComparer.Ordinal)
    {
        ["ADMISSION_LEASE_DURATION"] = "4s",
        ["ADMISSION_RENEW_DEADLINE"] = "3s",
        ["ADMISSION_RETRY_PERIOD"] = "500ms",
        ["ADMISSION_BACKOFF_INITIAL"] = "100ms",
        ["ADMISSION_BACKOFF_MAX"] = "1s",
    };

    /// <param name="bookmarkInterval">1 s unless given: most tests want fast bookmarks; kube-apiserver's cadence is a minute.</param>
    /// <param name="workloads">Serve Pods, ReplicaSets, Jobs and CronJobs and run the Deployment and ReplicaSet controllers.</param>
    public static Task<ClusterHarness> StartAsync(TimeSpan? bookmarkInterval = null, bool workloads = false) =>
        StartAsync(new ClusterSetup { BookmarkInterval = bookmarkInterval ?? TimeSpan.FromSeconds(1), Workloads = workloads });

    public static async Task<ClusterHarness> StartAsync(ClusterSetup setup)
    {
        var api = await TestApiServer.TestApiServer.StartAsync(new TestApiServer.TestApiServerOptions
        {
            BookmarkInterval = setup.BookmarkInterval,
            Workloads = setup.Workloads,
            ControllerMaxRetryDelay = setup.Workloads ? TimeSpan.FromSeconds(1) : TimeSpan.FromMinutes(1),
        });
        var dir = Directory.CreateTempSubdirectory("admission-e2e-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "kube"));
        var harness = new ClusterHarness(api, dir, setup);
        foreach (var (user, groups) in setup.People)
        {
            api.AddUser(user + "-token", user, groups);
            api.WriteKubeconfig(harness.Kubeconfig(user), user, Ns);
        }
        foreach (var replica in setup.Replicas)
        {
            api.AddUser(replica + "-token", UserOf(replica), ["system:serviceaccounts", "system:serviceaccounts:" + SystemNamespace]);
            api.WriteKubeconfig(harness.Kubeconfig(replica), UserOf(replica), SystemNamespace);
        }
        // Replicas under other names than the chart's account stand in for it wherever the chart binds it.
        api.Authorize = ChartRbac.Authorizer(setup.Replicas.Where(r => r != ChartRbac.ServiceAccount), setup.Bindings ?? PeopleBindings()).Authorize;
        api.Seed(NamespaceObject(SystemNamespace, []));
        api.Seed(NamespaceObject(Ns, new() { ["approvals.admission.dev/tier"] = "1" }));
        foreach (var other in setup.OtherNamespaces) api.Seed(NamespaceObject(other, []));
        if (setup.Policy is { } policy)
        {
            // Where the chart puts it (the plugin reads it there) and as the file the webhook is given.
            api.Seed(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMap",
                ["metadata"] = new JsonObject { ["name"] = "admission-policy", ["namespace"] = SystemNamespace },
                ["data"] = new JsonObject { ["policy.yaml"] = policy },
            });
            await File.WriteAllTextAsync(harness.PolicyFile, policy);
        }
        if (setup.SeedCheckout) api.Seed(DeploymentObject(Deployment, "registry.example.com/checkout:2.4.0"));
        return harness;
    }

    /// <summary>A Deployment in payments with one container "app" running <paramref name="image"/>, its pods labelled app: NAME.</summary>
    public static JsonObject DeploymentObject(string name, string image, int replicas = 2, IReadOnlyDictionary<string, string>? annotations = null)
    {
        var deployment = Node(new
        {
            apiVersion = "apps/v1",
            kind = "Deployment",
            metadata = new { name, @namespace = Ns },
            spec = new
            {
                replicas,
                selector = new { matchLabels = new { app = name } },
                template = new
                {
                    metadata = new { labels = new { app = name } },
                    spec = new { containers = new[] { new { name = "app", image } } },
                },
            },
        });
        if (annotations is not null) deployment["metadata"]!["annotations"] = Node(annotations);
        return deployment;
    }

    /// <summary>The arguments the chart's Deployment gives `admission serve` that decide what it touches (so RBAC sees the same names).</summary>
    public static readonly string[] ChartArgs = ["--lease-name", "admission-leader"];

    /// <summary>
    /// What a cluster admin would bind for the story's people: developers get the built-in `edit` in
    /// payments (the chart's requester role is aggregated into it), approvers the chart's approver
    /// role (as its comments suggest) and `view` in payments; admin is in system:masters.
    /// </summary>
    public static IReadOnlyList<JsonObject> PeopleBindings() =>
    [
        RbacObjects.RoleBinding(Ns, "developers-edit", "ClusterRole", "edit", RbacObjects.Group("developers")),
        RbacObjects.ClusterRoleBinding("tier1-approvers", "admission-approver", RbacObjects.Group("tier1-approvers")),
        RbacObjects.RoleBinding(Ns, "tier1-approvers-view", "ClusterRole", "view", RbacObjects.Group("tier1-approvers")),
    ];

    /// <summary>The kubeconfig of a person or a replica, written at start.</summary>
    public string Kubeconfig(string user) => Path.Combine(Dir, "kube", user);

    /// <summary>The policy file given to every replica when <see cref="ClusterSetup.Policy"/> is set.</summary>
    public string PolicyFile => Path.Combine(Dir, "policy.yaml");

    /// <summary>The Namespace object kube-apiserver stores, with its kubernetes.io/metadata.name label.</summary>
    public static JsonObject NamespaceObject(string name, Dictionary<string, string> labels) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject([.. labels.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)), KeyValuePair.Create("kubernetes.io/metadata.name", (JsonNode?)name)]),
        },
    };

    /// <summary>Keeps a process started by hand, so that it is stopped with the harness.</summary>
    public AdmissionProcess Track(AdmissionProcess process)
    {
        _processes.Add(process);
        return process;
    }

    public static string UserOf(string replica) => "system:serviceaccount:admission-system:" + replica;

    /// <summary>Starts a replica, registers the webhook at the first one, waits until it is ready.</summary>
    /// <param name="readyTimeout">How long it may take to listen and to be ready: 30 s unless given.</param>
    public async Task<AdmissionProcess> StartAdmissionAsync(string? replica = null, bool waitReady = true,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? readyTimeout = null, params string[] extraArgs)
    {
        replica ??= _setup.Replicas[0];
        var env = new Dictionary<string, string>(FastTimings, StringComparer.Ordinal);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) env[k] = v;
        string[] policy = _setup.Policy is null || extraArgs.Contains("--policy") ? [] : ["--policy", PolicyFile];
        var process = AdmissionProcess.Start(replica, Kubeconfig(replica), TlsDir, env, extraArgs: ["--namespace", SystemNamespace, .. ChartArgs, .. policy, .. extraArgs]);
        _processes.Add(process);
        var timeout = readyTimeout ?? TimeSpan.FromSeconds(30);
        var ca = await process.CaPemAsync(timeout);
        if (_processes.Count == 1) RegisterWebhook(process.Port, ca);
        if (waitReady) await process.WaitReadyAsync(true, timeout);
        return process;
    }

    /// <summary>The ValidatingWebhookConfiguration the chart renders, pointed at a loopback URL.</summary>
    public void RegisterWebhook(int port, string caPem) =>
        Api.Seed(ChartWebhooks.Render($"https://127.0.0.1:{port}/validate", caPem));

    public k8s.Kubernetes Client(string user)
    {
        if (!_clients.TryGetValue(user, out var client))
        {
            client = Api.CreateClient(user, Ns);
            _clients[user] = client;
        }
        return client;
    }

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static JsonObject ApprovalObject(string name, string requestedBy, DateTimeOffset expiresAt, string target = Deployment, params string[] approvers) =>
        Node(new
        {
            apiVersion = ChangeApproval.ApiVersion,
            kind = ChangeApproval.KindName,
            metadata = new { name, @namespace = Ns },
            spec = new
            {
                target = new { apiGroup = "apps", kind = "Deployment", name = target },
                reason = "Roll out 2.4.1, fixes INC-4411",
                requestedBy,
                expiresAt = Time(expiresAt),
                approvals = approvers.Select(a => new { approver = a, approvedAt = Time(DateTimeOffset.UtcNow) }).ToArray(),
            },
        });

    /// <summary>Creates a ChangeApproval as <paramref name="user"/>, through the webhook.</summary>
    public Task<Outcome> CreateApprovalAsync(string user, string name, DateTimeOffset? expiresAt = null) =>
        Try(() => Client(user).CustomObjects.CreateNamespacedCustomObjectAsync(
            ApprovalObject(name, user, expiresAt ?? DateTimeOffset.UtcNow.AddHours(1)), ChangeApproval.Group, ChangeApproval.Version, Ns, ChangeApproval.Plural));

    /// <summary>Appends an approval entry as <paramref name="user"/> (approver defaults to the user), with a JSON patch.</summary>
    public Task<Outcome> ApproveAsync(string user, string name, string? approver = null) =>
        PatchApprovalAsync(user, name, $$$"""[{"op":"add","path":"/spec/approvals/-","value":{"approver":"{{{approver ?? user}}}","approvedAt":"{{{Time(DateTimeOffset.UtcNow)}}}","comment":"checked"}}]""");

    public Task<Outcome> PatchApprovalAsync(string user, string name, string jsonPatch) =>
        Try(() => Client(user).CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(jsonPatch, V1Patch.PatchType.JsonPatch), ChangeApproval.Group, ChangeApproval.Version, Ns, ChangeApproval.Plural, name));

    /// <summary>Changes the Deployment's image as <paramref name="user"/>: a change that needs an approval.</summary>
    public Task<Outcome> ChangeDeploymentAsync(string user = "carol")
    {
        var image = $"registry.example.com/checkout:2.4.{_image++}";
        return Try(() => Client(user).AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch($$$$$"""{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"{{{{{image}}}}}"}]}}}}""", V1Patch.PatchType.MergePatch),
            Deployment, Ns));
    }

    public JsonObject? Approval(string name) => Api.Get(ChangeApproval.Group, ChangeApproval.Plural, Ns, name);

    public string? Phase(string name) => Approval(name)?["status"]?["phase"]?.ToString();

    /// <summary>
    /// Stands in for the operator's Applied condition (contract sections 1 and 9: set when the
    /// target is first seen with the approved change), written as admin once the approval is Approved.
    /// </summary>
    public async Task MarkAppliedAsync(string name)
    {
        await Polling.UntilAsync(() => Phase(name) == "Approved", TimeSpan.FromSeconds(10), $"{name} Approved", () => Logs);
        // The operator writes the same object (status, notification records): a write that loses
        // the race gets 409 and is redone on a fresh read, as any client would.
        for (var attempt = 1; ; attempt++)
        {
            var obj = Approval(name)!;
            obj["status"]!["conditions"]!.AsArray().Add(new JsonObject
            {
                ["type"] = "Applied",
                ["status"] = "True",
                ["reason"] = "Applied",
                ["message"] = "the target was seen with the approved change",
                ["lastTransitionTime"] = Time(DateTimeOffset.UtcNow),
                ["observedGeneration"] = obj["metadata"]!["generation"]!.DeepClone(),
            });
            try
            {
                await Client("admin").CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(
                    obj, ChangeApproval.Group, ChangeApproval.Version, Ns, ChangeApproval.Plural, name);
                return;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict && attempt < 10)
            {
            }
        }
    }

    public IReadOnlyList<string> StatusWriters(string name) =>
        [.. Api.Changes.Where(c => c.Resource == ChangeApproval.Plural && c.Subresource == "status" && c.Name == name).Select(c => c.Username)];

    /// <summary>Requests of the admission replicas that authorization refused, as "METHOD PATH?QUERY".</summary>
    public IReadOnlyList<string> RefusedRequestsOfTheWebhook() =>
        [.. Api.Requests.Where(r => r.Status == 403 && r.User?.StartsWith("system:serviceaccount:" + SystemNamespace + ":", StringComparison.Ordinal) == true)
            .Select(r => $"{r.Method} {r.Path}{r.Query}")];

    public IReadOnlyList<JsonObject> EventsFor(string name) =>
        [.. Api.Changes.Where(c => c.Resource == "events" && c.Type == "ADDED" && c.Item["involvedObject"]?["name"]?.ToString() == name).Select(c => c.Item)];

    public static async Task<Outcome> Try(Func<Task> call)
    {
        try
        {
            await call();
            return new Outcome(true, 200, "");
        }
        catch (HttpOperationException e)
        {
            return new Outcome(false, (int)e.Response.StatusCode, Message(e.Response.Content));
        }
    }

    private static string Message(string? body)
    {
        if (body is null) return "";
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("message", out var m) ? m.GetString() ?? body : body;
        }
        catch (JsonException)
        {
            return body;
        }
    }

    public static JsonObject Node(object value) => JsonSerializer.SerializeToNode(value)!.AsObject();

    public string Logs => string.Join("\n", _processes.Select(p => p.Log));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes) await process.DisposeAsync();
        foreach (var client in _clients.Values) client.Dispose();
        await Api.DisposeAsync();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}

internal sealed record Outcome(bool Ok, int Code, string Message)
{
    public override string ToString() => Ok ? "allowed" : $"{Code}: {Message}";
}

/// <summary>What differs between the suites that use <see cref="ClusterHarness"/>; the defaults are the operator story's.</summary>
internal sealed record ClusterSetup
{
    /// <summary>1 s: most tests want fast bookmarks; kube-apiserver's cadence is a minute.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Serve Pods, ReplicaSets, Jobs and CronJobs and run the Deployment and ReplicaSet controllers.</summary>
    public bool Workloads { get; init; }

    public IReadOnlyDictionary<string, string[]> People { get; init; } = ClusterHarness.StoryPeople;

    /// <summary>Service accounts in admission-system the replicas run as; the first is the one started by default.</summary>
    public IReadOnlyList<string> Replicas { get; init; } = ["admission-a", "admission-b"];

    /// <summary>The people's RBAC bindings; <see cref="ClusterHarness.PeopleBindings"/> unless given.</summary>
    public IReadOnlyList<JsonObject>? Bindings { get; init; }

    /// <summary>Namespaces besides admission-system and the Tier-1 payments.</summary>
    public IReadOnlyList<string> OtherNamespaces { get; init; } = [];

    /// <summary>A policy for the ConfigMap and every replica; without one, each replica gets requireExactChange: false.</summary>
    public string? Policy { get; init; }

    /// <summary>Seed Deployment payments/checkout at start.</summary>
    public bool SeedCheckout { get; init; } = true;
}
