using System.Collections.Frozen;

namespace Admission.Policies;

/// <summary>
/// The kinds kube-apiserver itself serves, by API group (Kubernetes 1.29 to 1.34), so that a
/// policy entry naming a kind in the wrong group is caught when the policy is read:
/// <c>workloadKinds: [Deployment]</c> means the core group, which has no Deployment, and guards
/// nothing. Groups not listed here are taken to be custom resources, which this program cannot
/// know; a CRD's group always holds a dot, so a dotless group not listed is a typo too.
/// </summary>
public static class ServedKinds
{
    private static readonly FrozenDictionary<string, FrozenSet<string>> ByGroup = new Dictionary<string, string[]>
    {
        [""] = ["Binding", "ComponentStatus", "ConfigMap", "Endpoints", "Event", "LimitRange", "Namespace", "Node",
                "PersistentVolume", "PersistentVolumeClaim", "Pod", "PodTemplate", "ReplicationController", "ResourceQuota",
                "Secret", "Service", "ServiceAccount"],
        ["apps"] = ["ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"],
        ["batch"] = ["CronJob", "Job"],
        ["autoscaling"] = ["HorizontalPodAutoscaler"],
        ["policy"] = ["Eviction", "PodDisruptionBudget"],
        ["admissionregistration.k8s.io"] = ["MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "MutatingWebhookConfiguration",
                "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration"],
        ["apiextensions.k8s.io"] = ["CustomResourceDefinition"],
        ["apiregistration.k8s.io"] = ["APIService"],
        ["authentication.k8s.io"] = ["SelfSubjectReview", "TokenRequest", "TokenReview"],
        ["authorization.k8s.io"] = ["LocalSubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview", "SubjectAccessReview"],
        ["certificates.k8s.io"] = ["CertificateSigningRequest", "ClusterTrustBundle"],
        ["coordination.k8s.io"] = ["Lease", "LeaseCandidate"],
        ["discovery.k8s.io"] = ["EndpointSlice"],
        ["events.k8s.io"] = ["Event"],
        ["flowcontrol.apiserver.k8s.io"] = ["FlowSchema", "PriorityLevelConfiguration"],
        ["networking.k8s.io"] = ["IPAddress", "Ingress", "IngressClass", "NetworkPolicy", "ServiceCIDR"],
        ["node.k8s.io"] = ["RuntimeClass"],
        ["rbac.authorization.k8s.io"] = ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
        ["resource.k8s.io"] = ["DeviceClass", "ResourceClaim", "ResourceClaimTemplate", "ResourceSlice"],
        ["scheduling.k8s.io"] = ["PriorityClass"],
        ["storage.k8s.io"] = ["CSIDriver", "CSINode", "CSIStorageCapacity", "StorageClass", "VolumeAttachment", "VolumeAttributesClass"],
    }.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.ToFrozenSet(StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>Null when the kind may be served; otherwise why not, and the likely fix.</summary>
    public static string? Problem(WorkloadKind kind)
    {
        var served = ByGroup.GetValueOrDefault(kind.Group);
        if (served is null && kind.Group.Contains('.'))
        {
            return null; // a custom resource's group
        }
        if (served is not null && served.Contains(kind.Kind))
        {
            return null;
        }
        var where = kind.Group.Length == 0 ? "the core group (an entry without group/)" : served is null ? $"no API group {kind.Group}" : $"group {kind.Group}";
        var problem = served is null
            ? $"\"{kind}\" names {where}, and custom resource groups hold a dot"
            : $"\"{kind}\": Kubernetes serves no kind {kind.Kind} in {where}";
        var fixes = ByGroup
            .Where(g => g.Value.Any(k => Same(k, kind.Kind)))
            .Select(g => new WorkloadKind(g.Key, g.Value.First(k => Same(k, kind.Kind))).ToString())
            .Order(StringComparer.Ordinal)
            .ToList();
        return fixes.Count == 0 ? problem : $"{problem}; write {string.Join(" or ", fixes)}";
    }

    /// <summary>The same kind written with another case or as the plural resource name (deployments, Deployments).</summary>
    private static bool Same(string served, string written) =>
        string.Equals(served, written, StringComparison.OrdinalIgnoreCase) ||
        string.Equals(new WorkloadKind("", served).Plural, written, StringComparison.OrdinalIgnoreCase);
}
