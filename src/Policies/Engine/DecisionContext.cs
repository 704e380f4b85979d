namespace Admission.Policies;

/// <summary>Everything a decision depends on besides the request itself. Time is passed in, never read.</summary>
public sealed record DecisionContext(
    AdmissionPolicy Policy,
    IApprovalSource Approvals,
    INamespaceSource Namespaces,
    DateTimeOffset Now);
