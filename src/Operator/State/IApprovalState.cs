using Admission.Policies;

namespace Admission.Operator.State;

/// <summary>What decisions are made against: an immutable snapshot swapped whole on change.</summary>
public sealed record DecisionSnapshot(ApprovalIndex Approvals, NamespaceIndex Namespaces)
{
    public static readonly DecisionSnapshot Empty = new(ApprovalIndex.Empty, NamespaceIndex.Empty);
}

public sealed record Readiness(bool Ready, string Detail);

/// <summary>
/// Where ChangeApprovals and Namespace labels come from: files in local mode, a watch-fed cache
/// in cluster mode.
/// </summary>
public interface IApprovalState
{
    DecisionSnapshot Snapshot { get; }

    Readiness Readiness { get; }

    /// <summary>
    /// Before a denial, a chance to look again (cluster mode reads the namespace live, so an
    /// approval made a moment ago counts). Null when there is nothing fresher.
    /// </summary>
    ValueTask<DecisionSnapshot?> FreshenAsync(string ns, CancellationToken cancellationToken);

    /// <summary>True when approvals could be verified at all (local files loaded, or a cluster sync or live read).</summary>
    bool CanVerify { get; }

    /// <summary>Where approvals come from, for messages: local mode has files, not an API server.</summary>
    string SourceName => "the API server";
}
