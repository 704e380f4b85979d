using Admission.Policies.Model;

namespace Admission.Policies;

/// <summary>ChangeApprovals as the webhook sees them, looked up by what they target.</summary>
public interface IApprovalSource
{
    /// <summary>Every ChangeApproval in <paramref name="ns"/> whose target is that group, kind and name.</summary>
    IReadOnlyList<ChangeApproval> Targeting(string ns, string group, string kind, string name);
}

/// <summary>Namespace labels, as far as they are known.</summary>
public interface INamespaceSource
{
    /// <summary>The labels of the namespace, or null when the namespace is unknown.</summary>
    IReadOnlyDictionary<string, string>? Labels(string ns);
}
