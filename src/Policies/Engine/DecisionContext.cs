namespace Admission.Policies;

/// <summary>Everything a decision depends on besides the request itself. Time is passed in, never read.</summary>
public sealed record DecisionContext(
    AdmissionPolicy Policy,
    IApprovalSource Approvals,
    INamespaceSource Namespaces,
    DateTimeOffset Now)
{
    /// <summary>
    /// The answer to "may this user <c>approverVerb</c> changeapprovals in the namespace?" for a
    /// ChangeApproval UPDATE, asked by the webhook of kube-apiserver before deciding (contract
    /// section 3). Null where nobody asked (local mode, <c>check</c>): groups alone decide then.
    /// </summary>
    public AccessAnswer? ApproverVerb { get; init; }

    /// <summary>
    /// The operator's own username: the one user that may create a ChangeApproval requested by
    /// someone else, and only a retrospective one (the review of a break-glass change, requested
    /// by whoever broke the glass). Null where there is no operator (local mode, <c>check</c>).
    /// </summary>
    public string? OperatorUser { get; init; }
}

/// <summary>A SubjectAccessReview's outcome; <paramref name="Reason"/> says why when it is not allowed or could not be asked.</summary>
public sealed record AccessAnswer(bool Allowed, string? Reason = null);
