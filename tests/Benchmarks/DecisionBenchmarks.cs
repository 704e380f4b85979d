namespace Admission.Benchmarks;

/// <summary>
/// A guarded UPDATE decided against many ChangeApprovals. The baseline finds the candidates by a
/// linear scan, as a naive implementation would; the index should make the cost independent of
/// how many approvals the cluster holds.
/// </summary>
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 3, 6, 12, 0, 0, TimeSpan.Zero);
    private ChangeApproval[] _all = [];
    private DecisionContext _indexed = null!;
    private DecisionContext _scanned = null!;
    private AdmissionInput _request = null!;

    [Params(10, 10_000)]
    public int Approvals { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using var oldDoc = JsonDocument.Parse(Deployment("2.4.0"));
        using var newDoc = JsonDocument.Parse(Deployment("2.4.1"));
        // The exact change (requireExactChange is on by default): the decision measured is an admission.
        var change = new ApprovedChange(ChangeDigest.Of(newDoc.RootElement, AdmissionPolicy.Default), ChangeDigest.Of(oldDoc.RootElement, AdmissionPolicy.Default), null);
        _all = Enumerable.Range(0, Approvals).Select(i => new ChangeApproval
        {
            Namespace = "ns-" + (i % 50),
            Name = "approval-" + i,
            Target = new ApprovalTarget("apps", "Deployment", i == 0 ? "checkout" : "app-" + i),
            Operations = [Operation.Create, Operation.Update],
            Images = ["registry.example.com/checkout:2.4.1"],
            Reason = "benchmark",
            RequestedBy = "carol",
            ExpiresAt = Now.AddHours(4),
            Approvals = [new ApprovalEntry("alice", Now, null), new ApprovalEntry("bob", Now, null)],
            Change = i == 0 ? change : null,
        }).ToArray();
        var namespaces = new NamespaceIndex(Enumerable.Range(0, 50).Select(i =>
            KeyValuePair.Create("ns-" + i, (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { [AdmissionPolicy.TierLabel] = "1" })));
        _indexed = new DecisionContext(AdmissionPolicy.Default, new ApprovalIndex(_all), namespaces, Now);
        _scanned = new DecisionContext(AdmissionPolicy.Default, new ScanSource(_all), namespaces, Now);
        _request = new AdmissionInput
        {
            Operation = Operation.Update, Group = "apps", Kind = "Deployment", Resource = "deployments",
            Namespace = "ns-0", Name = "checkout", User = new UserInfo("carol", ["developers"]),
            Object = newDoc.RootElement.Clone(), OldObject = oldDoc.RootElement.Clone(),
        };
        if (AdmissionEngine.Decide(_request, _indexed).Code != DecisionCode.Approved)
        {
            throw new InvalidOperationException("the benchmark request is not admitted by its approval: " + AdmissionEngine.Decide(_request, _indexed).Message);
        }
    }

    [Benchmark(Baseline = true)]
    public bool LinearScan() => AdmissionEngine.Decide(_request, _scanned).Allowed;

    [Benchmark]
    public bool Indexed() => AdmissionEngine.Decide(_request, _indexed).Allowed;

    /// <summary>
    /// The part of <see cref="Indexed"/> the contract fixes whatever the index: the change digests
    /// of object and oldObject (2.4 and 2.5), each at most once, as the decision computes them.
    /// </summary>
    [Benchmark]
    public bool Digests() => new ChangeDigests(_request, AdmissionPolicy.Default).ContentUnchanged == true;

    /// <summary>The decision's request: the runners split <see cref="Digests"/> into its two steps with it.</summary>
    internal AdmissionInput Request => _request;

    private static string Deployment(string version) =>
        """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"checkout","namespace":"ns-0"},"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"c","image":"registry.example.com/checkout:"""
        + version + "\"}]}}}}";

    private sealed class ScanSource(ChangeApproval[] all) : IApprovalSource
    {
        public IReadOnlyList<ChangeApproval> Targeting(string ns, string group, string kind, string name) =>
            all.Where(a => a.Namespace == ns && a.Target.ApiGroup == group && a.Target.Kind == kind && a.Target.Name == name).ToList();
    }
}
