using System.Text.RegularExpressions;

namespace Admission.Policies;

/// <summary>The policy file (contract section 5), with every default applied.</summary>
public sealed record AdmissionPolicy
{
    public const string TierLabel = "approvals.admission.dev/tier";
    public const string BreakGlassAnnotation = "approvals.admission.dev/break-glass";

    public static readonly AdmissionPolicy Default = new();

    public LabelSelector Tier1Selector { get; init; } =
        new(new Dictionary<string, string> { [TierLabel] = "1" }, []);
    public IReadOnlySet<string> Tier1Namespaces { get; init; } = new HashSet<string>();
    public IReadOnlyList<WorkloadKind> WorkloadKinds { get; init; } =
        [new("apps", "Deployment"), new("apps", "StatefulSet"), new("apps", "DaemonSet")];
    public int RequiredApprovals { get; init; } = 2;
    public IReadOnlySet<string> ApproverGroups { get; init; } = new HashSet<string> { "tier1-approvers" };
    public IReadOnlySet<string> BreakGlassGroups { get; init; } = new HashSet<string> { "tier1-break-glass" };
    public IReadOnlySet<string> PolicyAdminGroups { get; init; } = new HashSet<string> { "system:masters" };
    public IReadOnlySet<string> ExemptUsers { get; init; } = new HashSet<string>();
    public IReadOnlySet<string> ExemptGroups { get; init; } = new HashSet<string>();
    public bool AllowReplicaChanges { get; init; } = true;
    /// <summary>While true, the pod template's restartedAt annotation is not content (a <c>kubectl rollout restart</c>).</summary>
    public bool AllowRestarts { get; init; } = true;
    /// <summary>While true, an approval without <c>change</c> counts for nothing (contract section 2.5).</summary>
    public bool RequireExactChange { get; init; } = true;
    /// <summary>When set, approvers also need this RBAC verb on changeapprovals in the namespace.</summary>
    public string ApproverVerb { get; init; } = "";
    public TimeSpan MaxValidity { get; init; } = TimeSpan.FromHours(168);
    /// <summary>Compiled once when the policy is read, anchored so that it must match in full.</summary>
    public Regex? TicketPattern { get; init; }
    public string TicketPatternText { get; init; } = "";

    public bool IsTier1(string ns, IReadOnlyDictionary<string, string>? labels) =>
        Tier1Namespaces.Contains(ns) || (labels is not null && Tier1Selector.Matches(labels));

    /// <summary>The guarded kind for a group and kind, or for a <c>scale</c> request the group and plural resource.</summary>
    public WorkloadKind? GuardedKind(string group, string kind)
    {
        foreach (var k in WorkloadKinds)
        {
            if (k.Group == group && k.Kind == kind)
            {
                return k;
            }
        }
        return null;
    }

    public WorkloadKind? GuardedResource(string group, string resource)
    {
        foreach (var k in WorkloadKinds)
        {
            if (k.Group == group && k.Plural == resource)
            {
                return k;
            }
        }
        return null;
    }
}
