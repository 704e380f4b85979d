namespace Admission.Policies.Tests.Rules;

/// <summary>
/// Contract section 2, "Everything else is allowed": which requests the workload rules apply to
/// at all. Each not-guarded row has a guarded twin that is denied, so a rule that guards too
/// little and one that guards too much both fail.
/// </summary>
public class GuardedTests
{
    private static readonly Workload Deploy = new();
    private static readonly Workload NewImage = Deploy with { Images = ["registry.example.com/checkout:2.5.0"] };

    private static readonly LabelSelector ProdSelector = new(
        new Dictionary<string, string>(),
        [new LabelSelectorRequirement("env", "In", ["prod", "staging"])]);

    private static INamespaceSource WithNamespace(string name, params (string Key, string Value)[] labels) =>
        Namespaces((name, labels.ToDictionary(l => l.Key, l => l.Value)));

    private static Row In(string ns, DecisionCode expected, AdmissionPolicy? policy = null, INamespaceSource? namespaces = null) =>
        new(Requests.Update(Deploy with { Namespace = ns }, NewImage with { Namespace = ns }), Context(policy: policy, namespaces: namespaces), expected);

    private static Row Of(Workload w, DecisionCode expected, AdmissionPolicy? policy = null, IEnumerable<Approval>? approvals = null, string? approval = null) =>
        new(Requests.Create(w), Context(approvals, policy), expected, approval);

    public static readonly Table<Row> Cases = new()
    {
        // Which namespaces are Tier-1.
        { "namespace without the tier label: not guarded", In(Plain, NotGuarded) },
        { "namespace with the tier label: guarded", In(Tier1, Denied) },
        { "namespace unknown and not listed: not guarded", In("unknown", NotGuarded) },
        { "tier label with another value (2): not guarded", In("tier2", NotGuarded, namespaces: WithNamespace("tier2", (AdmissionPolicy.TierLabel, "2"))) },
        { "listed in tier1.namespaces, no labels known: guarded", In("ledger", Denied, policy: Policy with { Tier1Namespaces = Set("ledger") }) },
        { "listed in tier1.namespaces, labels lack the tier label: guarded", In(Plain, Denied, policy: Policy with { Tier1Namespaces = Set(Plain) }) },
        { "tier1.namespaces lists another namespace: not guarded", In(Plain, NotGuarded, policy: Policy with { Tier1Namespaces = Set("ledger") }) },
        { "selector matchExpressions In matches: guarded", In("shop", Denied, Policy with { Tier1Selector = ProdSelector }, WithNamespace("shop", ("env", "prod"))) },
        { "selector matchExpressions In does not match: not guarded", In("shop", NotGuarded, Policy with { Tier1Selector = ProdSelector }, WithNamespace("shop", ("env", "dev"))) },
        { "selector matchExpressions In, label absent: not guarded", In("shop", NotGuarded, Policy with { Tier1Selector = ProdSelector }, WithNamespace("shop", ("team", "web"))) },
        { "selector matchExpressions Exists and matchLabels both hold: guarded", In("shop", Denied, Policy with { Tier1Selector = new(new Dictionary<string, string> { ["team"] = "pay" }, [new("critical", "Exists", [])]) }, WithNamespace("shop", ("team", "pay"), ("critical", ""))) },
        { "selector matchLabels holds but Exists fails: not guarded", In("shop", NotGuarded, Policy with { Tier1Selector = new(new Dictionary<string, string> { ["team"] = "pay" }, [new("critical", "Exists", [])]) }, WithNamespace("shop", ("team", "pay"))) },
        { "selector NotIn: a namespace without the key matches: guarded", In("shop", Denied, Policy with { Tier1Selector = new(new Dictionary<string, string>(), [new("env", "NotIn", ["dev"])]) }, WithNamespace("shop", ("team", "web"))) },
        { "a custom selector replaces the default tier label: not guarded", In(Tier1, NotGuarded, Policy with { Tier1Selector = ProdSelector }) },

        // Which kinds are workloads.
        { "StatefulSet is guarded by default", Of(Deploy with { Kind = "StatefulSet" }, Denied) },
        { "DaemonSet is guarded by default", Of(Deploy with { Kind = "DaemonSet" }, Denied) },
        { "Deployment is guarded by default", Of(Deploy, Denied) },
        { "unguarded kind: ConfigMap", Of(Deploy with { Group = "", Kind = "ConfigMap" }, NotGuarded) },
        { "batch/Job is guarded by default", Of(Deploy with { Group = "batch", Kind = "Job" }, Denied) },
        { "batch/CronJob is guarded by default", Of(Deploy with { Group = "batch", Kind = "CronJob" }, Denied) },
        { "apps/ReplicaSet is guarded by default", Of(Deploy with { Kind = "ReplicaSet" }, Denied) },
        { "a bare Pod is guarded by default", Of(Deploy with { Group = "", Kind = "Pod", Name = "debug" }, Denied) },
        { "a custom kind is not guarded by default", Of(Deploy with { Group = "argoproj.io", Kind = "Rollout" }, NotGuarded) },
        { "a custom kind in workloadKinds is guarded", Of(Deploy with { Group = "argoproj.io", Kind = "Rollout" }, Denied, ParsePolicy("workloadKinds: [argoproj.io/Rollout]")) },
        { "same kind name in another group: not guarded", Of(Deploy with { Group = "example.com" }, NotGuarded) },
        { "Deployment left out of workloadKinds: not guarded", Of(Deploy, NotGuarded, ParsePolicy("workloadKinds: [apps/StatefulSet]")) },
        { "core-group Pod, not configured: not guarded", Of(Deploy with { Group = "", Kind = "Pod", Name = "debug" }, NotGuarded, ParsePolicy("workloadKinds: [apps/Deployment]")) },
        { "core-group Pod configured as Pod: guarded", Of(Deploy with { Group = "", Kind = "Pod", Name = "debug" }, Denied, ParsePolicy("workloadKinds: [Pod]")) },
        {
            "core-group Pod configured as Pod: an approval for apiGroup \"\" admits it",
            Of(Deploy with { Group = "", Kind = "Pod", Name = "debug" }, Approved, ParsePolicy("workloadKinds: [Pod]"),
               [new Approval { Name = "debug-pod", ApiGroup = "", Kind = "Pod", TargetName = "debug" }.ApprovedBy("alice", "bob")], "payments/debug-pod")
        },
        {
            "core-group Pod configured as Pod: an approval for apps/Pod does not admit it",
            Of(Deploy with { Group = "", Kind = "Pod", Name = "debug" }, Denied, ParsePolicy("workloadKinds: [Pod]"),
               [new Approval { Name = "debug-pod", ApiGroup = "apps", Kind = "Pod", TargetName = "debug" }.ApprovedBy("alice", "bob")])
        },

        // Subresources.
        { "status subresource: not guarded, even when the spec differs", new(Requests.Status(Deploy, NewImage), Context(), NotGuarded) },
        { "no subresource, same change: guarded", new(Requests.Update(Deploy, NewImage), Context(), Denied) },
        { "CONNECT is interactive access, not a change: denied to a developer", new(Requests.Create(Deploy) with { Operation = Operation.Connect, Kind = "", Object = null }, Context(), Denied) },
    };

    [Theory, RowsOf(nameof(Cases))]
    public void Rule(string name) => Cases[name].Verify();
}
