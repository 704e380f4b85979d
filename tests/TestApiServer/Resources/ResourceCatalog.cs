namespace Admission.TestApiServer.Resources;

/// <summary>The types this server serves, looked up by group/version/plural.</summary>
public sealed class ResourceCatalog
{
    public static IReadOnlyList<ResourceDefinition> Defaults { get; } =
    [
        new("", "v1", "namespaces", "Namespace", false, ["status", "finalize"], ["ns"], ReturnDeletedObject: true),
        new("", "v1", "events", "Event", true, ShortNames: ["ev"]),
        new("", "v1", "secrets", "Secret", true),
        new("", "v1", "configmaps", "ConfigMap", true, ShortNames: ["cm"]),
        new("events.k8s.io", "v1", "events", "Event", true, ShortNames: ["ev"]),
        new("apps", "v1", "deployments", "Deployment", true, ["status", "scale"], ["deploy"], TracksGeneration: true),
        new("apps", "v1", "statefulsets", "StatefulSet", true, ["status", "scale"], ["sts"], TracksGeneration: true),
        new("apps", "v1", "daemonsets", "DaemonSet", true, ["status"], ["ds"], TracksGeneration: true),
        new("coordination.k8s.io", "v1", "leases", "Lease", true),
        new("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false),
        new("admissionregistration.k8s.io", "v1", "validatingadmissionpolicies", "ValidatingAdmissionPolicy", false, ["status"], TracksGeneration: true),
        new("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings", "ValidatingAdmissionPolicyBinding", false, TracksGeneration: true),
        new("authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview", false, CreateOnly: true),
        new("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false, CreateOnly: true),
        new("approvals.admission.dev", "v1alpha1", "changeapprovals", "ChangeApproval", true, ["status"], ["approval"],
            TracksGeneration: true, CustomResource: true, ReturnDeletedObject: true),
    ];

    /// <summary>
    /// The kinds that run containers besides Deployments, StatefulSets and DaemonSets, served when
    /// <see cref="TestApiServerOptions.Workloads"/> is set (with the Deployment and ReplicaSet
    /// controllers). Pods have no generation in 1.32; their exec/attach/portforward are not served.
    /// </summary>
    public static IReadOnlyList<ResourceDefinition> Workloads { get; } =
    [
        new("", "v1", "pods", "Pod", true, ["status", "ephemeralcontainers"], ["po"]),
        new("apps", "v1", "replicasets", "ReplicaSet", true, ["status", "scale"], ["rs"], TracksGeneration: true),
        new("batch", "v1", "jobs", "Job", true, ["status"], TracksGeneration: true),
        new("batch", "v1", "cronjobs", "CronJob", true, ["status"], ["cj"], TracksGeneration: true),
    ];

    private readonly List<ResourceDefinition> _all;

    public ResourceCatalog(IEnumerable<ResourceDefinition>? extra = null)
    {
        _all = [.. Defaults, .. extra ?? []];
    }

    public IReadOnlyList<ResourceDefinition> All => _all;

    public ResourceDefinition? Find(string group, string version, string plural) =>
        _all.Find(d => d.Group == group && d.Version == version && d.Plural == plural);

    public ResourceDefinition? Find(string group, string plural) =>
        _all.Find(d => d.Group == group && d.Plural == plural);

    public ResourceDefinition Namespaces => Find("", "v1", "namespaces")!;

    public ResourceDefinition WebhookConfigurations => Find("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations")!;

    /// <summary>Groups in the order discovery lists them; the core group is not one of them.</summary>
    public IEnumerable<(string Group, IReadOnlyList<string> Versions)> Groups() =>
        _all.Where(d => d.Group.Length > 0)
            .GroupBy(d => d.Group)
            .Select(g => (g.Key, (IReadOnlyList<string>)g.Select(d => d.Version).Distinct().ToList()));
}
