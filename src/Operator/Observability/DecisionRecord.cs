namespace Admission.Operator.Observability;

/// <summary>
/// The fields of one decision's audit line (contract section 9), never object contents. A value
/// type, so handing it to the log allocates nothing; the strings are ones the request already holds.
/// </summary>
/// <param name="Digest">The change digest the decision used, or null until the engine reports one.</param>
public readonly record struct DecisionRecord(
    string Uid,
    string User,
    string Operation,
    string Resource,
    string Namespace,
    string Name,
    string Decision,
    string Approval,
    string? Digest,
    bool DryRun,
    double LatencyMs);
