using Admission.Policies;
using Admission.Policies.Model;

namespace Admission.Operator.Local;

/// <summary>
/// Makes loaded ChangeApprovals share their repeated parts: 10,000 approvals name the same
/// namespaces, kinds, requesters, approvers and operation lists over and over, and each read
/// gives every one of them its own copy. Equal content, one instance; lists become arrays.
/// Used while loading, on one thread.
/// </summary>
internal sealed class StringPool
{
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<long, Operation[]> _operations = [];

    public List<ChangeApproval> Share(List<ChangeApproval> approvals)
    {
        for (var i = 0; i < approvals.Count; i++) approvals[i] = Share(approvals[i]);
        return approvals;
    }

    public ChangeApproval Share(ChangeApproval a) => a with
    {
        Namespace = String(a.Namespace),
        Target = new ApprovalTarget(String(a.Target.ApiGroup), String(a.Target.Kind), a.Target.Name),
        Operations = Operations(a.Operations),
        Images = Strings(a.Images),
        RequestedBy = String(a.RequestedBy),
        Approvals = Entries(a.Approvals),
    };

    public string String(string s)
    {
        if (_strings.TryGetValue(s, out var shared)) return shared;
        _strings.Add(s, s);
        return s;
    }

    private string[] Strings(IReadOnlyList<string> list)
    {
        if (list.Count == 0) return [];
        var result = new string[list.Count];
        for (var i = 0; i < result.Length; i++) result[i] = String(list[i]);
        return result;
    }

    private ApprovalEntry[] Entries(IReadOnlyList<ApprovalEntry> list)
    {
        if (list.Count == 0) return [];
        var result = new ApprovalEntry[list.Count];
        for (var i = 0; i < result.Length; i++) result[i] = list[i] with { Approver = String(list[i].Approver) };
        return result;
    }

    /// <summary>Lists of up to 15 operations, in their order, keyed by 4 bits each; longer ones are not shared.</summary>
    private IReadOnlyList<Operation> Operations(IReadOnlyList<Operation> list)
    {
        if (list.Count > 15) return [.. list];
        long key = list.Count;
        for (var i = 0; i < list.Count; i++) key |= ((long)list[i] + 1) << (4 * (i + 1));
        if (_operations.TryGetValue(key, out var shared)) return shared;
        var copy = list.ToArray();
        _operations.Add(key, copy);
        return copy;
    }
}
