namespace Admission.Tests.Shared;

/// <summary>
/// Contract section 5, the policy file with its defaults (copied verbatim), but for
/// node-controller and pod-garbage-collector in trustedControllers (proposed to the lead with
/// the truth branch; not yet in the contract). The chart's values and the policy parser are both
/// checked against it.
/// </summary>
internal static class ContractPolicy
{
    public const string Defaults = """
        apiVersion: approvals.admission.dev/v1alpha1
        kind: AdmissionPolicy
        tier1:
          namespaceSelector:
            matchLabels:
              approvals.admission.dev/tier: "1"
          namespaces: []
        workloadKinds: [Pod, apps/ReplicaSet, apps/Deployment, apps/StatefulSet, apps/DaemonSet,
                        batch/Job, batch/CronJob]   # group/Kind; core: Kind
        requiredApprovals: 2            # at least 2
        requireExactChange: true        # approvals must bind the exact change (section 2.5)
        approverGroups: [tier1-approvers]
        approverVerb: ""                # e.g. approve: also require this RBAC verb (section 3)
        breakGlassGroups: [tier1-break-glass]
        policyAdminGroups: [system:masters]
        exemptUsers: []
        exemptGroups: []
        trustedControllers:             # usernames; the kube-controller-manager's, with and without
        - system:kube-controller-manager    # --use-service-account-credentials
        - system:serviceaccount:kube-system:replicaset-controller
        - system:serviceaccount:kube-system:deployment-controller
        - system:serviceaccount:kube-system:statefulset-controller
        - system:serviceaccount:kube-system:daemon-set-controller
        - system:serviceaccount:kube-system:job-controller
        - system:serviceaccount:kube-system:cronjob-controller
        - system:serviceaccount:kube-system:generic-garbage-collector
        - system:serviceaccount:kube-system:namespace-controller
        - system:serviceaccount:kube-system:node-controller
        - system:serviceaccount:kube-system:pod-garbage-collector
        interactiveAccess: breakGlass   # breakGlass | deny | allow (section 2.2)
        allowReplicaChanges: true
        allowRestarts: true
        maxValidity: 168h
        ticketPattern: ""               # a .NET regular expression; when set, every new ChangeApproval
                                        # must carry a spec.ticket that matches it in full
        """;
}
