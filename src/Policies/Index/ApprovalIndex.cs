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
    /// <summary>Set on an index made by <see cref="ReplacingNamespace"/>: that namespace, then the rest.</summary>
    private readonly (string Namespace, ApprovalIndex Replacement, ApprovalIndex Others)? _overlay;

    /// <param name="approvals">
    /// Retrospective approvals (break-glass reviews) are left out: they record a change that was
    /// already admitted, and must never admit one. So are approvals being deleted (held by a
    /// finalizer): deleting one withdraws it.
    /// </param>
    public ApprovalIndex(IEnumerable<ChangeApproval> approvals)
    {
        var all = approvals.Where(a => !a.Retrospective && !a.Deleting).ToArray();
        Count = all.Length;
        _byTarget = all
            .GroupBy(a => new TargetKey(a.Namespace, a.Target.ApiGroup, a.Target.Kind, a.Target.Name))
            .ToFrozenDictionary(g => g.Key, g => g.OrderBy(a => a.Name, StringComparer.Ordinal).ToArray());
    }

    private ApprovalIndex(ApprovalIndex rest, string ns, ApprovalIndex replacement)
    {
        _byTarget = FrozenDictionary<TargetKey, ChangeApproval[]>.Empty;
        _overlay = (ns, replacement, rest);
        Count = rest.Count;
    }

    /// <summary>Approvals in force (for a replaced namespace, as of the base snapshot).</summary>
    public int Count { get; }

    /// <summary>
    /// This index with one namespace's approvals replaced, e.g. by a live read: costs only the
    /// replacement, whatever the size of the rest.
    /// </summary>
    public ApprovalIndex ReplacingNamespace(string ns, IEnumerable<ChangeApproval> approvals) =>
        new(this, ns, new ApprovalIndex(approvals.Where(a => a.Namespace == ns)));

    public IReadOnlyList<ChangeApproval> Targeting(string ns, string group, string kind, string name)
    {
        if (_overlay is { } o)
        {
            return (o.Namespace == ns ? o.Replacement : o.Others).Targeting(ns, group, kind, name);
        }
        return _byTarget.TryGetValue(new TargetKey(ns, group, kind, name), out var found) ? found : [];
    }

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
