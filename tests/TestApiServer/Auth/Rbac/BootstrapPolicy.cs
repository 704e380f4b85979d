using static Admission.TestApiServer.Auth.Rbac.RbacObjects;

namespace Admission.TestApiServer.Auth.Rbac;

/// <summary>
/// The part of kube-apiserver's bootstrap RBAC policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go)
/// that matters for the types this server serves: <c>cluster-admin</c> for <c>system:masters</c>;
/// <c>system:discovery</c> and <c>system:basic-user</c> for every authenticated user; and the
/// user-facing <c>admin</c>, <c>edit</c> and <c>view</c>, built by aggregation as in a cluster
/// (view aggregates into edit, edit into admin), so a chart's role labelled
/// <c>rbac.authorization.k8s.io/aggregate-to-edit</c> becomes part of <c>edit</c>. Their rules name
/// only the types this server can serve (no services, ingresses...); pods/ephemeralcontainers is
/// in none of them, so a test that lets developers run `kubectl debug` binds it itself.
/// </summary>
public static class BootstrapPolicy
{
    private const string AggregateToAdmin = "rbac.authorization.k8s.io/aggregate-to-admin";
    private const string AggregateToEdit = "rbac.authorization.k8s.io/aggregate-to-edit";
    private const string AggregateToView = "rbac.authorization.k8s.io/aggregate-to-view";
    private static readonly string[] Read = ["get", "list", "watch"];
    private static readonly string[] Write = ["create", "delete", "deletecollection", "patch", "update"];

    public static IReadOnlyList<JsonObject> Objects() =>
    [
        ClusterRole("cluster-admin", [Rule(["*"], ["*"], ["*"]), NonResourceRule(["*"], ["*"])]),
        ClusterRoleBinding("cluster-admin", "cluster-admin", Group("system:masters")),
        ClusterRole("system:discovery", [NonResourceRule(["get"],
            ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"])]),
        ClusterRoleBinding("system:discovery", "system:discovery", Group("system:authenticated")),
        ClusterRole("system:basic-user",
        [
            Rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            Rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]),
        ]),
        ClusterRoleBinding("system:basic-user", "system:basic-user", Group("system:authenticated")),

        ClusterRole("admin", [], aggregateFrom: [Labels(AggregateToAdmin)]),
        ClusterRole("edit", [], Labels(AggregateToAdmin), [Labels(AggregateToEdit)]),
        ClusterRole("view", [], Labels(AggregateToEdit), [Labels(AggregateToView)]),
        ClusterRole("system:aggregate-to-admin",
            [Rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
             Rule([.. Read, .. Write], ["rbac.authorization.k8s.io"], ["roles", "rolebindings"])],
            Labels(AggregateToAdmin)),
        ClusterRole("system:aggregate-to-edit",
        [
            Rule([.. Read, .. Write], [""], ["configmaps", "secrets"]),
            Rule(Read, [""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
            Rule([.. Write], [""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
            Rule(["create"], [""], ["pods/eviction"]),
            Rule([.. Write], ["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale",
                "statefulsets", "statefulsets/scale"]),
            Rule([.. Write], ["batch"], ["cronjobs", "jobs"]),
        ], Labels(AggregateToEdit)),
        ClusterRole("system:aggregate-to-view",
        [
            Rule(Read, [""], ["configmaps", "events", "namespaces/status", "pods", "pods/log", "pods/status"]),
            Rule(Read, [""], ["namespaces"]),
            Rule(Read, ["apps"], ["daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status",
                "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"]),
            Rule(Read, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
        ], Labels(AggregateToView)),
    ];

    private static Dictionary<string, string> Labels(string key) => new(StringComparer.Ordinal) { [key] = "true" };
}
