using System.Text.Json;
using System.Text.Json.Nodes;
using Admission.Operator.Cluster;
using Microsoft.Extensions.Logging.Abstractions;

namespace Admission.Benchmarks;

/// <summary>
/// Cluster mode's cache taking one watch event while it holds many ChangeApprovals: what the
/// webhook pays each time the operator writes a status or a reviewer approves. The baseline reads
/// the event's object into the cache's form (what any cache must do with it), so the ratio is what
/// publishing the change costs on top of reading it, and should not grow with the approvals held.
/// </summary>
[MemoryDiagnoser]
public class CacheEventBenchmarks
{
    private ClusterApprovalCache.ApprovalSink _approvals = null!;
    private ClusterApprovalCache.NamespaceSink _namespaces = null!;
    private ClusterApprovalCache _cache = null!;
    private JsonElement[] _versions = [];
    private JsonElement[] _namespaceVersions = [];
    private int _next;

    [Params(100, 10_000)]
    public int Approvals { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cache = NewCache();
        _approvals = new ClusterApprovalCache.ApprovalSink(_cache);
        _namespaces = new ClusterApprovalCache.NamespaceSink(_cache);
        _namespaces.Replace([.. Enumerable.Range(0, 100).Select(i => Namespace("ns-" + i, "1"))]);
        _approvals.Replace([.. Enumerable.Range(0, Approvals).Select(i => Approval(i, "1", approvers: i % 2 == 0 ? ["alice", "bob"] : ["alice"]))]);
        // Two new versions of every approval, as a status write and the next would send them: one
        // event after another changes a different approval, as a sweep over all of them would.
        _versions = [.. Enumerable.Range(0, Approvals).SelectMany(i => (JsonElement[])[Approval(i, "2", ["alice", "bob"], "Approved"), Approval(i, "3", ["alice", "bob"], "Applied")])];
        _namespaceVersions = [Namespace("ns-7", "2"), Namespace("ns-7", "3")];
        ApprovalModified();
        if (_cache.Snapshot.Approvals.Count != Approvals || _cache.Find("ns-0/approval-0")?.ResourceVersion != "2")
        {
            throw new InvalidOperationException("the benchmark's event did not reach the cache");
        }
    }

    /// <summary>Reading the event's object, which every cache does with each event.</summary>
    [Benchmark(Baseline = true)]
    public bool ReadOnly() => CachedApproval.From(Next()) is { Model: not null };

    /// <summary>A MODIFIED ChangeApproval, read and published to the decisions' snapshot.</summary>
    [Benchmark]
    public void ApprovalModified() => _approvals.Apply(WatchEventKind.Modified, Next());

    /// <summary>A MODIFIED Namespace (its labels decide which namespaces are Tier-1).</summary>
    [Benchmark]
    public void NamespaceModified() => _namespaces.Apply(WatchEventKind.Modified, _namespaceVersions[_next++ & 1]);

    /// <summary>Approval after approval, each time in its other version.</summary>
    private JsonElement Next()
    {
        var n = _next++;
        return _versions[2 * (n % Approvals) + (n / Approvals & 1)];
    }

    internal static ClusterApprovalCache NewCache() => new(new NoSource(), new NoSource(), null,
        new ClusterSettings("admission-system", "benchmark", "admission"), new ClusterTimings(), TimeProvider.System,
        NullLogger<ClusterApprovalCache>.Instance);

    internal static JsonElement Approval(int i, string rv, string[] approvers, string? phase = null)
    {
        var node = new JsonObject
        {
            ["apiVersion"] = "approvals.admission.dev/v1alpha1",
            ["kind"] = "ChangeApproval",
            ["metadata"] = new JsonObject
            {
                ["name"] = "approval-" + i, ["namespace"] = "ns-" + (i % 100), ["resourceVersion"] = rv, ["uid"] = "uid-" + i,
                ["generation"] = 1, ["creationTimestamp"] = "2026-12-04T08:00:00Z",
                // As kube-apiserver records them: the request, the approvals, the operator's status.
                ["managedFields"] = new JsonArray(
                    ManagedFields("kubectl-change", null, new JsonObject { ["f:spec"] = new JsonObject { ["."] = new JsonObject(), ["f:target"] = new JsonObject { ["."] = new JsonObject(), ["f:apiGroup"] = new JsonObject(), ["f:kind"] = new JsonObject(), ["f:name"] = new JsonObject() }, ["f:operations"] = new JsonObject(), ["f:reason"] = new JsonObject(), ["f:requestedBy"] = new JsonObject(), ["f:expiresAt"] = new JsonObject() } }),
                    ManagedFields("kubectl-change", null, new JsonObject { ["f:spec"] = new JsonObject { ["f:approvals"] = new JsonObject() } }),
                    ManagedFields("admission", "status", new JsonObject { ["f:status"] = new JsonObject { ["."] = new JsonObject(), ["f:phase"] = new JsonObject(), ["f:conditions"] = new JsonObject() } })),
            },
            ["spec"] = new JsonObject
            {
                ["target"] = new JsonObject { ["apiGroup"] = "apps", ["kind"] = "Deployment", ["name"] = "app-" + i },
                ["operations"] = new JsonArray("CREATE", "UPDATE"),
                ["reason"] = "roll out 2.4.1",
                ["requestedBy"] = "carol",
                ["expiresAt"] = "2026-12-04T16:00:00Z",
                ["approvals"] = new JsonArray([.. approvers.Select(a => (JsonNode)new JsonObject { ["approver"] = a, ["approvedAt"] = "2026-12-04T09:00:00Z" })]),
            },
        };
        if (phase is not null) node["status"] = new JsonObject { ["phase"] = phase };
        return JsonDocument.Parse(node.ToJsonString()).RootElement;
    }

    private static JsonObject ManagedFields(string manager, string? subresource, JsonObject fields)
    {
        var entry = new JsonObject
        {
            ["manager"] = manager, ["operation"] = "Update", ["apiVersion"] = "approvals.admission.dev/v1alpha1",
            ["time"] = "2026-12-04T09:00:00Z", ["fieldsType"] = "FieldsV1", ["fieldsV1"] = fields,
        };
        if (subresource is not null) entry["subresource"] = subresource;
        return entry;
    }

    internal static JsonElement Namespace(string name, string rv) => JsonDocument.Parse(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = name, ["resourceVersion"] = rv, ["labels"] = new JsonObject { ["approvals.admission.dev/tier"] = "1" } },
    }.ToJsonString()).RootElement;

    /// <summary>Never listed or watched: the benchmark feeds the sinks directly.</summary>
    private sealed class NoSource : IListWatchSource
    {
        public string Name => "none";

        public Task<ListResult> ListAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<WatchEvent> WatchAsync(string resourceVersion, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
