namespace Admission.Policies.Tests.Support;

/// <summary>The world most tests decide in: a fixed clock, a Tier-1 namespace and a plain one.</summary>
public static class Fixture
{
    public static readonly DateTimeOffset Now = new(2026, 3, 6, 12, 0, 0, TimeSpan.Zero);

    public const string Tier1 = "payments";
    public const string Plain = "sandbox";
    public const string Image = "registry.example.com/checkout:2.4.1";

    // The people: carol asks for the change; dave, a developer, sends most requests.
    public const string Requester = "carol";
    public static readonly UserInfo Deployer = new("dave", ["developers", "system:authenticated"]);

    // The groups the default policy names, and the one kube-apiserver's superusers are in.
    public const string ApproverGroup = "tier1-approvers";
    public const string BreakGlassGroup = "tier1-break-glass";
    public const string AdminGroup = "system:masters";

    public static UserInfo User(string name, params string[] groups) => new(name, groups);

    public static IReadOnlySet<string> Set(params string[] items) => new HashSet<string>(items, StringComparer.Ordinal);

    /// <summary>
    /// The policy most rule tests decide with: the defaults, but with requireExactChange off, so
    /// that the rules on targets, operations, windows and images are tested on approvals
    /// without <c>change</c>. Exact-change rules are tested with <see cref="ExactPolicy"/>.
    /// </summary>
    public static AdmissionPolicy Policy => AdmissionPolicy.Default with { RequireExactChange = false };

    /// <summary>The contract's defaults, requireExactChange on.</summary>
    public static AdmissionPolicy ExactPolicy => AdmissionPolicy.Default;

    /// <summary>A policy file; like <see cref="Policy"/>, requireExactChange is off unless the file sets it.</summary>
    public static AdmissionPolicy ParsePolicy(string yaml)
    {
        var policy = PolicyParser.Parse(yaml, "policy.yaml");
        return yaml.Contains("requireExactChange", StringComparison.Ordinal) ? policy : policy with { RequireExactChange = false };
    }

    public static IReadOnlyDictionary<string, string> TierLabels => new Dictionary<string, string> { [AdmissionPolicy.TierLabel] = "1" };

    /// <summary>payments carries the Tier-1 label; sandbox carries another label.</summary>
    public static NamespaceIndex Namespaces(params (string Name, IReadOnlyDictionary<string, string> Labels)[] extra)
    {
        var all = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal)
        {
            [Tier1] = TierLabels,
            [Plain] = new Dictionary<string, string> { ["team"] = "web" },
        };
        foreach (var (name, labels) in extra) all[name] = labels;
        return new NamespaceIndex(all);
    }

    public static DecisionContext Context(
        IEnumerable<Approval>? approvals = null,
        AdmissionPolicy? policy = null,
        INamespaceSource? namespaces = null,
        DateTimeOffset? now = null) =>
        ContextOf((approvals ?? []).Select(a => a.ToModel()), policy, namespaces, now);

    public static DecisionContext ContextOf(
        IEnumerable<ChangeApproval> approvals,
        AdmissionPolicy? policy = null,
        INamespaceSource? namespaces = null,
        DateTimeOffset? now = null) =>
        new(policy ?? Policy, new ApprovalIndex(approvals), namespaces ?? Namespaces(), now ?? Now);

    public static Decision Decide(AdmissionInput request, DecisionContext context) => AdmissionEngine.Decide(request, context);
}

/// <summary>AdmissionInputs as kube-apiserver would describe each kind of request.</summary>
public static class Requests
{
    public static AdmissionInput Create(Workload w, UserInfo? user = null, bool dryRun = false) =>
        Of(w, Operation.Create, w.ToJson(), null, user, dryRun);

    public static AdmissionInput Update(Workload old, Workload updated, UserInfo? user = null, bool dryRun = false) =>
        Of(updated, Operation.Update, updated.ToJson(), old.ToJson(), user, dryRun);

    public static AdmissionInput Delete(Workload w, UserInfo? user = null, bool dryRun = false) =>
        Of(w, Operation.Delete, null, w.ToJson(), user, dryRun);

    public static AdmissionInput Change(Operation op, Workload old, Workload updated, UserInfo? user = null, bool dryRun = false) => op switch
    {
        Operation.Create => Create(updated, user, dryRun),
        Operation.Delete => Delete(old, user, dryRun),
        _ => Update(old, updated, user, dryRun),
    };

    /// <summary>A write to the workload's <c>scale</c> subresource, as <c>kubectl scale</c> or an autoscaler sends it.</summary>
    public static AdmissionInput Scale(Workload old, Workload updated, UserInfo? user = null) => new()
    {
        Operation = Operation.Update,
        Group = updated.Group,
        Kind = "Scale",
        Resource = updated.Resource,
        SubResource = "scale",
        Namespace = updated.Namespace,
        Name = updated.Name,
        User = user ?? Fixture.Deployer,
        Object = updated.ToScaleJson(),
        OldObject = old.ToScaleJson(),
    };

    public static AdmissionInput Status(Workload old, Workload updated, UserInfo? user = null) =>
        Update(old, updated, user) with { SubResource = "status" };

    private static AdmissionInput Of(Workload w, Operation op, JsonElement? obj, JsonElement? old, UserInfo? user, bool dryRun) => new()
    {
        Operation = op,
        Group = w.Group,
        Kind = w.Kind,
        Resource = w.Resource,
        Namespace = w.Namespace,
        Name = w.Name,
        User = user ?? Fixture.Deployer,
        Object = obj,
        OldObject = old,
        DryRun = dryRun,
    };

    public static AdmissionInput ApprovalCreate(Approval a, UserInfo user) => ApprovalRequest(Operation.Create, a.ToJson(), null, a, user);

    public static AdmissionInput ApprovalUpdate(Approval old, Approval updated, UserInfo user) =>
        ApprovalRequest(Operation.Update, updated.ToJson(), old.ToJson(), updated, user);

    public static AdmissionInput ApprovalUpdate(JsonElement old, JsonElement updated, UserInfo user) =>
        ApprovalRequest(Operation.Update, updated, old, Fixture.Tier1, "checkout-2-4-1", user);

    public static AdmissionInput ApprovalDelete(Approval a, UserInfo user) => ApprovalRequest(Operation.Delete, null, a.ToJson(), a, user);

    private static AdmissionInput ApprovalRequest(Operation op, JsonElement? obj, JsonElement? old, Approval a, UserInfo user) =>
        ApprovalRequest(op, obj, old, a.Namespace, a.Name, user);

    private static AdmissionInput ApprovalRequest(Operation op, JsonElement? obj, JsonElement? old, string ns, string name, UserInfo user) => new()
    {
        Operation = op,
        Group = ChangeApproval.Group,
        Kind = ChangeApproval.KindName,
        Resource = ChangeApproval.Plural,
        Namespace = ns,
        Name = name,
        User = user,
        Object = obj,
        OldObject = old,
    };

    public static AdmissionInput Namespace(Operation op, string name, IReadOnlyDictionary<string, string>? oldLabels, IReadOnlyDictionary<string, string>? newLabels, UserInfo user) => new()
    {
        Operation = op,
        Group = "",
        Kind = "Namespace",
        Resource = "namespaces",
        Name = name,
        User = user,
        Object = newLabels is null ? null : NamespaceJson(name, newLabels),
        OldObject = oldLabels is null ? null : NamespaceJson(name, oldLabels),
    };

    private static JsonElement NamespaceJson(string name, IReadOnlyDictionary<string, string> labels) =>
        JsonSerializer.SerializeToElement(new
        {
            apiVersion = "v1",
            kind = "Namespace",
            metadata = new { name, labels },
        });
}

/// <summary>
/// An approval source that answers in the order it was given, as a cache or informer might:
/// <see cref="IApprovalSource"/> promises no order, so the rules must not depend on one.
/// </summary>
public sealed class ListSource(IEnumerable<ChangeApproval> approvals) : IApprovalSource
{
    private readonly ChangeApproval[] _all = [.. approvals];

    public IReadOnlyList<ChangeApproval> Targeting(string ns, string group, string kind, string name) =>
        [.. _all.Where(a => a.Namespace == ns && a.Target.ApiGroup == group && a.Target.Kind == kind && a.Target.Name == name)];
}
