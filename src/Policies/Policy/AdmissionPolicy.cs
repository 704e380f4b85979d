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
    /// <summary>Every kind that runs containers (contract section 5).</summary>
    public IReadOnlyList<WorkloadKind> WorkloadKinds { get; init; } =
    [
        new("", "Pod"), new("apps", "ReplicaSet"), new("apps", "Deployment"), new("apps", "StatefulSet"),
        new("apps", "DaemonSet"), new("batch", "Job"), new("batch", "CronJob"),
    ];
    public int RequiredApprovals { get; init; } = 2;
    public IReadOnlySet<string> ApproverGroups { get; init; } = new HashSet<string> { "tier1-approvers" };
    public IReadOnlySet<string> BreakGlassGroups { get; init; } = new HashSet<string> { "tier1-break-glass" };
    public IReadOnlySet<string> PolicyAdminGroups { get; init; } = new HashSet<string> { "system:masters" };
    public IReadOnlySet<string> ExemptUsers { get; init; } = new HashSet<string>();
    public IReadOnlySet<string> ExemptGroups { get; init; } = new HashSet<string>();
    /// <summary>
    /// The kube-controller-manager's usernames, with and without --use-service-account-credentials:
    /// they write workloads on behalf of workloads that were themselves decided here (step 2).
    /// Compared exactly: these are names kube-apiserver authenticated, not names people type.
    /// </summary>
    public IReadOnlySet<string> TrustedControllers { get; init; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "system:kube-controller-manager",
        "system:serviceaccount:kube-system:replicaset-controller",
        "system:serviceaccount:kube-system:deployment-controller",
        "system:serviceaccount:kube-system:statefulset-controller",
        "system:serviceaccount:kube-system:daemon-set-controller",
        "system:serviceaccount:kube-system:job-controller",
        "system:serviceaccount:kube-system:cronjob-controller",
        "system:serviceaccount:kube-system:generic-garbage-collector",
        "system:serviceaccount:kube-system:namespace-controller",
        // They delete Pods of failed nodes (node-controller also runs taint eviction) and Pods the
        // collector may remove; their RBAC lets them delete Pods and write pods/status, not create.
        "system:serviceaccount:kube-system:node-controller",
        "system:serviceaccount:kube-system:pod-garbage-collector",
    };
    /// <summary>Who may exec, attach, port-forward and debug in a Tier-1 namespace (contract 2.2).</summary>
    public InteractiveAccess InteractiveAccess { get; init; } = InteractiveAccess.BreakGlass;
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

    /// <summary>The guarded kind with this group and kind name (for manifests, which name kinds).</summary>
    public WorkloadKind? GuardedKind(string group, string kind)
    {
        // By index: a foreach over the interface would allocate its enumerator on every review.
        for (var i = 0; i < WorkloadKinds.Count; i++)
        {
            var k = WorkloadKinds[i];
            if (k.Group == group && k.Kind == kind)
            {
                return k;
            }
        }
        return null;
    }

    /// <summary>The guarded kind served as this group and plural resource: requests are guarded by what they write, whatever their kind says.</summary>
    public WorkloadKind? GuardedResource(string group, string resource)
    {
        // By index: a foreach over the interface would allocate its enumerator on every review.
        for (var i = 0; i < WorkloadKinds.Count; i++)
        {
            var k = WorkloadKinds[i];
            if (k.Group == group && k.Plural == resource)
            {
                return k;
            }
        }
        return null;
    }
}

/// <summary>The policy's <c>interactiveAccess</c>: exec, attach, port-forward and ephemeral containers in Tier-1 namespaces.</summary>
public enum InteractiveAccess
{
    /// <summary>Exempt users, and members of breakGlassGroups with a warning (the default).</summary>
    BreakGlass,
    /// <summary>Exempt users only.</summary>
    Deny,
    /// <summary>Anyone.</summary>
    Allow,
}
