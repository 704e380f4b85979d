using System.Text.Json.Serialization;

namespace Admission.Operator.Cli;

/// <summary>One row of <c>admission check -o json</c> (contract section 6).</summary>
public sealed record CheckResult(
    string Kind,
    string Namespace,
    string Name,
    bool Allowed,
    string Decision,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Approval,
    string Message,
    // Break-glass and dry-run warnings of the decision, and check's own (an unknown namespace).
    IReadOnlyList<string> Warnings)
{
    /// <summary>The change digest, for a workload in a Tier-1 namespace (contract section 6).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Digest { get; init; }
}
