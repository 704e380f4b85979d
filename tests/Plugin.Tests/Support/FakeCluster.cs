using System.Globalization;
using Admission.Kubernetes;

namespace Admission.Plugin.Tests.Support;

/// <summary>A clock that stands still until told to move.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>
/// An in-memory cluster for command tests: stores objects, bumps resourceVersions, answers 409 on
/// stale writes, and guards ChangeApproval writes with the real engine, worded as kube-apiserver
/// words a webhook denial. It is not the test API server: end-to-end tests use that.
/// </summary>
internal sealed class FakeCluster : IClusterConnector
{
    public const string Webhook = "changeapprovals.approvals.admission.dev";

    private readonly Dictionary<(string Resource, string Ns, string Name), JsonObject> _objects = [];
    private long _resourceVersion = 100;

    public FakeCluster(DateTimeOffset now)
    {
        Clock = new FixedClock(now);
        // The cluster's policy, as the plugin reads it: requireExactChange off, like Policy.
        Put(ApiResource.ConfigMaps, "admission-system", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "admission-policy" },
            ["data"] = new JsonObject { ["policy.yaml"] = "requireExactChange: false\n" },
        });
    }

    public FixedClock Clock { get; }

    /// <summary>requireExactChange off: these tests create approvals that bind no change (see EndToEndCluster.PolicyYaml).</summary>
    public AdmissionPolicy Policy { get; set; } = AdmissionPolicy.Default with { RequireExactChange = false };

    public string DefaultNamespace { get; set; } = "payments";

    /// <summary>Who the next connection authenticates as.</summary>
    public string User { get; set; } = "carol";

    public Dictionary<string, string[]> Groups { get; } = new()
    {
        ["carol"] = ["developers", "system:authenticated"],
        ["alice"] = ["tier1-approvers", "system:authenticated"],
        ["bob"] = ["tier1-approvers", "system:authenticated"],
        ["dave"] = ["developers", "system:authenticated"],
    };

    /// <summary>How far the API server's (and so the webhook's) clock is ahead of the plugin's.</summary>
    public TimeSpan ServerSkew { get; set; }

    /// <summary>What the person types at the terminal; null: no terminal (stdin redirected).</summary>
    public string? Stdin { get; set; }

    /// <summary>False: no webhook answers previews (the namespace is not guarded, or Admission is not installed).</summary>
    public bool AnswersPreviews { get; set; } = true;

    /// <summary>What a mutating webhook or defaulting does to each object written (previews too).</summary>
    public Action<JsonObject>? Mutate { get; set; }

    /// <summary>Sets the policy the plugin reads from the cluster's ConfigMap (the webhook decides with <see cref="Policy"/>).</summary>
    public void PublishPolicy(string yaml) => Put(ApiResource.ConfigMaps, "admission-system", new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = "admission-policy" },
        ["data"] = new JsonObject { ["policy.yaml"] = yaml },
    });

    /// <summary>Rewrites every message the webhook sends (a newer webhook's wording); codes stay.</summary>
    public Func<string, string>? RewordMessages { get; set; }

    /// <summary>The next this many PUTs fail with 409 Conflict, as if someone wrote first.</summary>
    public int ConflictsToInject { get; set; }

    /// <summary>When set, every call fails with this (an API error, or an unreachable server).</summary>
    public Exception? FailEverything { get; set; }

    public List<string> Calls { get; } = [];

    /// <summary>Namespaces whose GET is refused with 403, as for a user without view in them.</summary>
    public HashSet<string> UnreadableNamespaces { get; } = [];

    /// <summary>When set, only the SelfSubjectReview fails with this.</summary>
    public Exception? FailWhoAmI { get; set; }

    public ClusterConnection Connect(KubeSelection selection) =>
        new(new Client(this, User), selection.Namespace ?? DefaultNamespace, "fake", "https://fake.example:6443");

    public void AddNamespace(string name, IDictionary<string, string>? labels = null)
    {
        var obj = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = new JsonObject((labels ?? new Dictionary<string, string>()).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            },
        };
        Put(ApiResource.Namespaces, "", obj);
    }

    public void AddTier1Namespace(string name) => AddNamespace(name, new Dictionary<string, string> { [AdmissionPolicy.TierLabel] = "1" });

    /// <summary>Stores an object directly, with no webhook.</summary>
    public JsonObject Put(ApiResource resource, string ns, JsonObject obj)
    {
        var meta = (JsonObject)obj["metadata"]!;
        meta["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        meta["creationTimestamp"] ??= Rfc3339(Clock.Now);
        if (resource.Namespaced) meta["namespace"] = ns;
        _objects[(resource.Qualified, resource.Namespaced ? ns : "", meta["name"]!.GetValue<string>())] = obj;
        return obj;
    }

    public JsonObject? Stored(ApiResource resource, string ns, string name) =>
        _objects.GetValueOrDefault((resource.Qualified, ns, name));

    public JsonObject? Approval(string ns, string name) => Stored(ApiResource.ChangeApprovals, ns, name);

    private static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static JsonElement Element(JsonObject obj) => JsonSerializer.SerializeToElement(obj);

    private Exception? Deny(string ns, string name, string user, Operation op, JsonObject obj, JsonObject? old)
    {
        var input = new AdmissionInput
        {
            Operation = op,
            Group = Policies.Model.ChangeApproval.Group,
            Kind = Policies.Model.ChangeApproval.KindName,
            Resource = Policies.Model.ChangeApproval.Plural,
            Namespace = ns,
            Name = name,
            User = new UserInfo(user, Groups.GetValueOrDefault(user) ?? []),
            Object = Element(obj),
            OldObject = old is null ? null : Element(old),
        };
        var decision = AdmissionEngine.Decide(input, new DecisionContext(Policy, ApprovalIndex.Empty, NamespaceIndex.Empty, Clock.Now + ServerSkew));
        if (decision.Allowed) return null;
        // As kube-apiserver passes the webhook's status on: its message after the prefix, its causes (reason codes) as they are.
        var reword = RewordMessages ?? (m => m);
        return new KubernetesApiException(403, "Forbidden", $"admission webhook \"{Webhook}\" denied the request: {reword(decision.Message)}", null,
            [.. decision.Causes.Select(c => new StatusCause(c.Code, c.Field ?? "", reword(c.Message)))]);
    }

    private sealed class Client(FakeCluster cluster, string user) : IClusterClient
    {
        public Task<Identity> WhoAmIAsync(CancellationToken cancellationToken)
        {
            Check("whoami");
            if (cluster.FailWhoAmI is { } e) throw e;
            return Task.FromResult(new Identity(user, cluster.Groups.GetValueOrDefault(user) ?? ["system:authenticated"]));
        }

        public Task<JsonElement?> GetAsync(ApiResource resource, string? ns, string name, CancellationToken cancellationToken)
        {
            Check($"get {resource.Qualified} {ns}/{name}");
            if (resource == ApiResource.Namespaces && cluster.UnreadableNamespaces.Contains(name))
            {
                throw new KubernetesApiException(403, "Forbidden", $"namespaces \"{name}\" is forbidden: User \"{user}\" cannot get resource \"namespaces\" in API group \"\" in the namespace \"{name}\"");
            }
            var found = cluster.Stored(resource, resource.Namespaced ? ns ?? "" : "", name);
            return Task.FromResult(found is null ? (JsonElement?)null : Element(found));
        }

        public Task<IReadOnlyList<JsonElement>> ListAsync(ApiResource resource, string? ns, CancellationToken cancellationToken)
        {
            Check($"list {resource.Qualified} {ns ?? "*"}");
            IReadOnlyList<JsonElement> items = [.. cluster._objects
                .Where(p => p.Key.Resource == resource.Qualified && (ns is null || p.Key.Ns == ns))
                .Select(p => Element(p.Value))];
            return Task.FromResult(items);
        }

        public Task<WriteResult> CreateAsync(ApiResource resource, string ns, JsonObject body, CancellationToken cancellationToken)
        {
            var name = body["metadata"]!["name"]!.GetValue<string>();
            Check($"create {resource.Qualified} {ns}/{name}");
            if (cluster.Stored(resource, ns, name) is not null)
            {
                throw new KubernetesApiException(409, "AlreadyExists", $"{resource.Qualified} \"{name}\" already exists", name);
            }
            var obj = (JsonObject)body.DeepClone();
            if (resource == ApiResource.ChangeApprovals && cluster.Deny(ns, name, user, Operation.Create, obj, null) is { } denied)
            {
                throw denied;
            }
            ((JsonObject)obj["metadata"]!)["uid"] = Guid.NewGuid().ToString();
            return Task.FromResult(new WriteResult(Element(cluster.Put(resource, ns, obj)), []));
        }

        public Task<WriteResult> ReplaceAsync(ApiResource resource, string ns, string name, JsonObject body, CancellationToken cancellationToken)
        {
            Check($"replace {resource.Qualified} {ns}/{name}");
            var old = cluster.Stored(resource, ns, name)
                ?? throw new KubernetesApiException(404, "NotFound", $"{resource.Qualified} \"{name}\" not found", name);
            var conflict = new KubernetesApiException(409, "Conflict",
                $"Operation cannot be fulfilled on {resource.Qualified} \"{name}\": the object has been modified; please apply your changes to the latest version and try again", name);
            if (cluster.ConflictsToInject > 0)
            {
                cluster.ConflictsToInject--;
                // Someone else wrote in between: the stored version moves on.
                cluster.Put(resource, ns, (JsonObject)old.DeepClone());
                throw conflict;
            }
            if (body["metadata"]?["resourceVersion"]?.GetValue<string>() != old["metadata"]!["resourceVersion"]!.GetValue<string>())
            {
                throw conflict;
            }
            var obj = (JsonObject)body.DeepClone();
            if (resource == ApiResource.ChangeApprovals && cluster.Deny(ns, name, user, Operation.Update, obj, old) is { } denied)
            {
                throw denied;
            }
            if (old["status"] is { } status) obj["status"] = status.DeepClone();
            return Task.FromResult(new WriteResult(Element(cluster.Put(resource, ns, obj)), []));
        }

        /// <summary>
        /// A dry run stores nothing; for a preview (the annotation) it answers as the webhook does
        /// (contract 2.5): the digest warning of the object as it would be stored, with the live one's as base.
        /// </summary>
        public Task<WriteResult> DryRunAsync(ApiResource resource, string ns, string? name, JsonObject body, CancellationToken cancellationToken)
        {
            var objectName = name ?? body["metadata"]!["name"]!.GetValue<string>();
            Check($"dry-run {(name is null ? "create" : "replace")} {resource.Qualified} {ns}/{objectName}");
            var old = cluster.Stored(resource, ns, objectName);
            if (name is null && old is not null) throw new KubernetesApiException(409, "AlreadyExists", $"{resource.Qualified} \"{objectName}\" already exists", objectName);
            if (name is not null && old is null) throw new KubernetesApiException(404, "NotFound", $"{resource.Qualified} \"{objectName}\" not found", objectName);
            var obj = (JsonObject)body.DeepClone();
            cluster.Mutate?.Invoke(obj);
            var stored = Element(obj);
            List<string> warnings = [];
            if (cluster.AnswersPreviews && body["metadata"]?["annotations"]?[Previews.Annotation]?.GetValue<string>() == "true")
            {
                var digest = Policies.Digest.ChangeDigest.Of(stored, cluster.Policy);
                warnings.Add(old is null ? $"change digest {digest}" : $"change digest {digest} base {Policies.Digest.ChangeDigest.Of(Element(old), cluster.Policy)}");
            }
            return Task.FromResult(new WriteResult(stored, warnings));
        }

        public void Dispose()
        {
        }

        private void Check(string call)
        {
            cluster.Calls.Add($"{user}: {call}");
            if (cluster.FailEverything is { } e) throw e;
        }
    }
}

/// <summary>Runs <c>kubectl change</c> in-process against a <see cref="FakeCluster"/>.</summary>
internal static class Plugin
{
    public sealed record Result(int Exit, string Out, string Err)
    {
        public override string ToString() => $"exit {Exit}\n--- stdout\n{Out}--- stderr\n{Err}";
    }

    public static async Task<Result> RunAsync(FakeCluster cluster, string user, IDictionary<string, string>? environment = null, params string[] args)
    {
        cluster.User = user;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var host = new PluginHost
        {
            Out = stdout,
            Err = stderr,
            Connector = cluster,
            Clock = cluster.Clock,
            Environment = name => environment?.TryGetValue(name, out var v) == true ? v : null,
            NameSuffix = () => "x7k2q",
            In = cluster.Stdin is null ? null : new StringReader(cluster.Stdin),
        };
        var exit = await new PluginApp(host).RunAsync(args);
        return new Result(exit, stdout.ToString(), stderr.ToString());
    }

    public static Task<Result> RunAsync(FakeCluster cluster, string user, params string[] args) => RunAsync(cluster, user, null, args);
}
