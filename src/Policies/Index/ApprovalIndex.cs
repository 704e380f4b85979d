using Admission.Policies.Model;

namespace Admission.Policies;

/// <summary>
/// An immutable snapshot of ChangeApprovals keyed by namespace, target group, kind and name,
/// so a decision costs one dictionary lookup however many approvals exist.
/// </summary>
public sealed class ApprovalIndex : IApprovalSource
{
    public static readonly ApprovalIndex Empty = new([]);

    /// <summary>Per target, its approvals in force, ordered by name.</summary>
    private readonly SnapshotMap<TargetKey, ChangeApproval[]> _byTarget;
    /// <summary>Set on an index made by <see cref="ReplacingNamespace"/>: that namespace, then the rest.</summary>
    private readonly (string Namespace, ApprovalIndex Replacement, ApprovalIndex Others)? _overlay;

    /// <param name="approvals">
    /// Retrospective approvals (break-glass reviews) are left out: they record a change that was
    /// already admitted, and must never admit one. So are approvals being deleted (held by a
    /// finalizer): deleting one withdraws it.
    /// </param>
    public ApprovalIndex(IEnumerable<ChangeApproval> approvals)
    {
        var all = approvals.Where(InForce).ToArray();
        Count = all.Length;
        _byTarget = new SnapshotMap<TargetKey, ChangeApproval[]>(all
            .GroupBy(Target)
            .Select(g => KeyValuePair.Create(g.Key, g.OrderBy(a => a.Name, StringComparer.Ordinal).ToArray())));
    }

    private ApprovalIndex(ApprovalIndex rest, string ns, ApprovalIndex replacement)
    {
        _byTarget = Empty._byTarget;
        _overlay = (ns, replacement, rest);
        Count = rest.Count;
    }

    private ApprovalIndex(SnapshotMap<TargetKey, ChangeApproval[]> byTarget, int count)
    {
        _byTarget = byTarget;
        Count = count;
    }

    /// <summary>Approvals in force (for a replaced namespace, as of the base snapshot).</summary>
    public int Count { get; }

    /// <summary>
    /// This index with one namespace's approvals replaced, e.g. by a live read: costs only the
    /// replacement, whatever the size of the rest.
    /// </summary>
    public ApprovalIndex ReplacingNamespace(string ns, IEnumerable<ChangeApproval> approvals) =>
        new(this, ns, new ApprovalIndex(approvals.Where(a => a.Namespace == ns)));

    /// <summary>The same, with the namespace's approvals already indexed; an approval of another namespace in it is never looked up.</summary>
    public ApprovalIndex ReplacingNamespace(string ns, ApprovalIndex replacement) => new(this, ns, replacement);

    /// <summary>
    /// This index with one ChangeApproval changed, as a watch event changes it: <paramref name="before"/>
    /// is the version the index was given (null when it held none), <paramref name="after"/> the new
    /// one (null when it is gone). The same answers as an index built afresh from all approvals with
    /// the change made, at the cost of the two targets it touches.
    /// </summary>
    public ApprovalIndex Updating(ChangeApproval? before, ChangeApproval? after)
    {
        if (_overlay is not null)
        {
            throw new InvalidOperationException("an index with a namespace replaced is one decision's view and is never updated");
        }
        var byTarget = _byTarget;
        var count = Count;
        if (before is not null && byTarget.TryGetValue(Target(before), out var held) && IndexOf(held, before.Name) is var at and >= 0)
        {
            byTarget = byTarget.SetItem(Target(before), held.Length == 1 ? null : [.. held.AsSpan(0, at), .. held.AsSpan(at + 1)]);
            count--;
        }
        if (after is not null && InForce(after))
        {
            var key = Target(after);
            var others = byTarget.TryGetValue(key, out var list) ? list : [];
            // In name order, as the constructor orders them; one of the same name is replaced.
            var placed = new ChangeApproval[others.Length + (IndexOf(others, after.Name) >= 0 ? 0 : 1)];
            var i = 0;
            var inserted = false;
            foreach (var other in others)
            {
                var order = string.CompareOrdinal(other.Name, after.Name);
                if (order == 0) continue;
                if (order > 0 && !inserted)
                {
                    placed[i++] = after;
                    inserted = true;
                }
                placed[i++] = other;
            }
            if (!inserted) placed[i] = after;
            byTarget = byTarget.SetItem(key, placed);
            count += placed.Length - others.Length;
        }
        return ReferenceEquals(byTarget, _byTarget) ? this : new ApprovalIndex(byTarget, count);
    }

    public IReadOnlyList<ChangeApproval> Targeting(string ns, string group, string kind, string name)
    {
        if (_overlay is { } o)
        {
            return (o.Namespace == ns ? o.Replacement : o.Others).Targeting(ns, group, kind, name);
        }
        return _byTarget.TryGetValue(new TargetKey(ns, group, kind, name), out var found) ? found : [];
    }

    private static bool InForce(ChangeApproval a) => !a.Retrospective && !a.Deleting;

    private static TargetKey Target(ChangeApproval a) => new(a.Namespace, a.Target.ApiGroup, a.Target.Kind, a.Target.Name);

    private static int IndexOf(ChangeApproval[] approvals, string name)
    {
        for (var i = 0; i < approvals.Length; i++)
        {
            if (approvals[i].Name == name) return i;
        }
        return -1;
    }

    private readonly record struct TargetKey(string Namespace, string Group, string Kind, string Name);
}

/// <summary>An immutable snapshot of namespace labels.</summary>
public sealed class NamespaceIndex : INamespaceSource
{
    public static readonly NamespaceIndex Empty = new(new Dictionary<string, IReadOnlyDictionary<string, string>>());

    private readonly SnapshotMap<string, IReadOnlyDictionary<string, string>> _labels;

    public NamespaceIndex(IEnumerable<KeyValuePair<string, IReadOnlyDictionary<string, string>>> labels) =>
        _labels = new SnapshotMap<string, IReadOnlyDictionary<string, string>>(labels, StringComparer.Ordinal);

    private NamespaceIndex(SnapshotMap<string, IReadOnlyDictionary<string, string>> labels) => _labels = labels;

    public int Count => _labels.Count;

    public IReadOnlyDictionary<string, string>? Labels(string ns) => _labels.TryGetValue(ns, out var labels) ? labels : null;

    /// <summary>This snapshot with one namespace's labels set, or the namespace removed when <paramref name="labels"/> is null.</summary>
    public NamespaceIndex Updating(string ns, IReadOnlyDictionary<string, string>? labels) =>
        _labels.SetItem(ns, labels) is var changed && ReferenceEquals(changed, _labels) ? this : new NamespaceIndex(changed);
}
