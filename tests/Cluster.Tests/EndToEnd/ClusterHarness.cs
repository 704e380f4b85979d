using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Admission.Policies.Model;
using Admission.TestApiServer.Auth.Rbac;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>
/// A test API server with the people of the story (carol requests, alice and bob approve, admin
/// runs the cluster), a Tier-1 namespace <c>payments</c> holding Deployment <c>checkout</c>, and
/// <c>admission</c> processes registered as its validating webhook.
/// </summary>
internal sealed class ClusterHarness : IAsyncDisposable
{
    public const string Ns = "payments";
    public const string Deployment = "checkout";
    public const string SystemNamespace = "admission-system";

    private readonly List<AdmissionProcess> _processes = [];
    private readonly Dictionary<string, k8s.Kubernetes> _clients = new(StringComparer.Ordinal);
    private int _image = 1;

    private ClusterHarness(TestApiServer.TestApiServer api, string dir)
    {
        Api = api;
        Dir = dir;
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
    public static async Task<ClusterHarness> StartAsync(TimeSpan? bookmarkInterval = null, bool workloads = false)
    {
        var api = await TestApiServer.TestApiServer.StartAsync(new TestApiServer.TestApiServerOptions
        {
            BookmarkInterval = bookmarkInterval ?? TimeSpan.FromSeconds(1),
            Workloads = workloads,
            ControllerMaxRetryDelay = workloads ? TimeSpan.FromSeconds(1) : TimeSpan.FromMinutes(1),
        });
        var dir = Directory.CreateTempSubdirectory("admission-e2e-").FullName;
        var harness = new ClusterHarness(api, dir);
        api.AddUser("admin-token", "admin", ["system:masters"]);
        api.AddUser("carol-token", "carol", ["developers"]);
        api.AddUser("alice-token", "alice", ["tier1-approvers"]);
        api.AddUser("bob-token", "bob", ["tier1-approvers"]);
        foreach (var replica in (string[])["admission-a", "admission-b"])
        {
            api.AddUser(replica + "-token", "system:serviceaccount:admission-system:" + replica, ["system:serviceaccounts"]);
            api.WriteKubeconfig(harness.Kubeconfig(replica), "system:serviceaccount:admission-system:" + replica, SystemNamespace);
        }
        api.Authorize = Admission.Tests.Shared.ChartRbac.Authorizer(["admission-a", "admission-b"], PeopleBindings()).Authorize;
        api.Seed(Node(new { apiVersion = "v1", kind = "Namespace", metadata = new { name = SystemNamespace } }));
        api.Seed(Node(new
        {
            apiVersion = "v1",
            kind = "Namespace",
            metadata = new { name = Ns, labels = new Dictionary<string, string> { ["approvals.admission.dev/tier"] = "1" } },
        }));
        api.Seed(Node(new
        {
            apiVersion = "apps/v1",
            kind = "Deployment",
            metadata = new { name = Deployment, @namespace = Ns },
            spec = new
            {
                replicas = 2,
                selector = new { matchLabels = new { app = Deployment } },
                template = new
                {
                    metadata = new { labels = new { app = Deployment } },
                    spec = new { containers = new[] { new { name = "app", image = "registry.example.com/checkout:2.4.0" } } },
                },
            },
        }));
        return harness;
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

    public string Kubeconfig(string replica) => Path.Combine(Dir, replica + ".kubeconfig");

    /// <summary>Keeps a process started by hand, so that it is stopped with the harness.</summary>
    public AdmissionProcess Track(AdmissionProcess process)
    {
        _processes.Add(process);
        return process;
    }

    public static string UserOf(string replica) => "system:serviceaccount:admission-system:" + replica;

    /// <summary>Starts a replica, registers the webhook at the first one, waits until it is ready.</summary>
    public async Task<AdmissionProcess> StartAdmissionAsync(string replica = "admission-a", bool waitReady = true,
        IReadOnlyDictionary<string, string>? environment = null, params string[] extraArgs)
    {
        var env = new Dictionary<string, string>(FastTimings, StringComparer.Ordinal);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) env[k] = v;
        var process = AdmissionProcess.Start(replica, Kubeconfig(replica), TlsDir, env, extraArgs: ["--namespace", SystemNamespace, .. ChartArgs, .. extraArgs]);
        _processes.Add(process);
        var ca = await process.CaPemAsync();
        if (_processes.Count == 1) RegisterWebhook(process.Port, ca);
        if (waitReady) await process.WaitReadyAsync(true, TimeSpan.FromSeconds(30));
        return process;
    }

    /// <summary>The ValidatingWebhookConfiguration the chart renders, pointed at a loopback URL.</summary>
    public void RegisterWebhook(int port, string caPem) =>
        Api.Seed(Admission.Tests.Shared.ChartWebhooks.Render($"https://127.0.0.1:{port}/validate", caPem));

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
        await Wait.UntilAsync(() => Phase(name) == "Approved", TimeSpan.FromSeconds(10), () => Logs);
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

internal static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("timed out: " + describe());
            await Task.Delay(50);
        }
    }

    public static async Task<T> ForAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}; last: {value}");
            await Task.Delay(100);
        }
    }
}
