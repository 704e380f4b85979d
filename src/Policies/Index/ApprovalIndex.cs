using System.Collections.Frozen;
using Admission.Policies.Model;

namespace Admission.Policies;

/// <summary>
/// An immutable snapshot of ChangeApprovals keyed by namespace, target group, kind and name,
/// so a decision costs one dictionary lookup however many approvals exist.
/// </summary>
public sealed class ApprovalIndex : IApprovalSource
{
    public static readonly ApprovalIndex Empty = new([]);

    private readonly FrozenDictionary<TargetKey, ChangeApproval[]> _byTarget;

    public ApprovalIndex(IEnumerable<ChangeApproval> approvals)
    {
        var all = approvals.ToArray();
        Count = all.Length;
        _byTarget = all
            .GroupBy(a => new TargetKey(a.Namespace, a.Target.ApiGroup, a.Target.Kind, a.Target.Name))
            .ToFrozenDictionary(g => g.Key, g => g.OrderBy(a => a.Name, StringComparer.Ordinal).ToArray());
    }

    public int Count { get; }

    public IReadOnlyList<ChangeApproval> Targeting(string ns, string group, string kind, string name) =>
        _byTarget.TryGetValue(new TargetKey(ns, group, kind, name), out var found) ? found : [];

    private readonly record struct TargetKey(string Namespace, string Group, string Kind, string Name);
}

/// <summary>An immutable snapshot of namespace labels.</summary>
public sealed class NamespaceIndex : INamespaceSource
{
    public static readonly NamespaceIndex Empty = new(new Dictionary<string, IReadOnlyDictionary<string, string>>());

    private readonly FrozenDictionary<string, IReadOnlyDictionary<string, string>> _labels;

    public NamespaceIndex(IEnumerable<KeyValuePair<string, IReadOnlyDictionary<string, string>>> labels) =>
        _labels = labels.ToFrozenDictionary(StringComparer.Ordinal);

    public int Count => _labels.Count;

    public IReadOnlyDictionary<string, string>? Labels(string ns) => _labels.GetValueOrDefault(ns);
}
