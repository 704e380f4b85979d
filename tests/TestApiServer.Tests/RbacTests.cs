using Admission.TestApiServer.Auth;
using Admission.TestApiServer.Auth.Rbac;
using static Admission.TestApiServer.Auth.Rbac.RbacObjects;

namespace Admission.TestApiServer.Tests;

/// <summary>RBAC's semantics (plugin/pkg/auth/authorizer/rbac/rbac.go, pkg/apis/rbac/v1/evaluation_helpers.go), one rule per row.</summary>
public sealed class RbacTests
{
    private static readonly UserInfo Carol = new("carol", "uid-carol", ["developers", "system:authenticated"], new Dictionary<string, IReadOnlyList<string>>());
    private static readonly UserInfo Alice = new("alice", "uid-alice", ["tier1-approvers", "system:authenticated"], new Dictionary<string, IReadOnlyList<string>>());
    private static readonly UserInfo Robot = new("system:serviceaccount:tools:robot", "uid-robot",
        ["system:serviceaccounts", "system:serviceaccounts:tools", "system:authenticated"], new Dictionary<string, IReadOnlyList<string>>());
    private static readonly UserInfo Root = new("root", "uid-root", ["system:masters", "system:authenticated"], new Dictionary<string, IReadOnlyList<string>>());

    private static readonly RbacAuthorizer Policy = RbacAuthorizer.WithBootstrapPolicy(
    [
        ClusterRole("reader", [Rule(["get", "list"], ["apps"], ["deployments"])]),
        ClusterRole("exec", [Rule(["create"], [""], ["pods/exec"])]),
        ClusterRole("any-status", [Rule(["update"], ["*"], ["*/status"])]),
        ClusterRole("one-lease", [Rule(["get", "update"], ["coordination.k8s.io"], ["leases"], ["leader"])]),
        ClusterRole("metrics", [NonResourceRule(["get"], ["/metrics", "/logs/*"])]),
        ClusterRole("requester", [Rule(["create"], ["approvals.admission.dev"], ["changeapprovals"])],
            new Dictionary<string, string> { ["rbac.authorization.k8s.io/aggregate-to-edit"] = "true" }),
        ClusterRole("all-verbs", [Rule(["*"], [""], ["configmaps"])]),
        RoleBinding("payments", "devs-read", "ClusterRole", "reader", Group("developers")),
        RoleBinding("payments", "devs-edit", "ClusterRole", "edit", Group("developers")),
        RoleBinding("payments", "carol-exec", "ClusterRole", "exec", User("carol")),
        ClusterRoleBinding("alice-status", "any-status", User("alice")),
        ClusterRoleBinding("alice-metrics", "metrics", User("alice")),
        RoleBinding("tools", "robot-lease", "ClusterRole", "one-lease", ServiceAccount("", "robot")),
        RoleBinding("tools", "robot-cm", "Role", "cm-writer", ServiceAccount("tools", "robot")),
        Role("tools", "cm-writer", [Rule(["create"], [""], ["configmaps"])]),
        Role("payments", "cm-writer", [Rule(["delete"], [""], ["configmaps"])]),
        RoleBinding("tools", "robot-missing", "ClusterRole", "does-not-exist", ServiceAccount("tools", "robot")),
        RoleBinding("sandbox", "alice-all", "ClusterRole", "all-verbs", User("alice")),
    ]);

    public static TheoryData<string, string, string, string, string, string, string, bool> Rows() => new()
    {
        // who, verb, group, resource, subresource, namespace, name => allowed
        { "carol", "get", "apps", "deployments", "", "payments", "web", true },
        { "carol", "delete", "apps", "deployments", "", "sandbox", "web", false },            // RoleBinding: its namespace only
        { "carol", "get", "apps", "deployments", "", "", "", false },                          // nor cluster-wide
        { "carol", "watch", "apps", "deployments", "", "payments", "", true },                 // edit, through view's aggregation
        { "carol", "patch", "apps", "deployments", "scale", "payments", "web", true },          // edit's deployments/scale
        { "carol", "update", "apps", "deployments", "status", "payments", "web", false },       // no deployments/status write in edit
        { "carol", "create", "approvals.admission.dev", "changeapprovals", "", "payments", "", true }, // aggregated into edit by label
        { "carol", "update", "approvals.admission.dev", "changeapprovals", "", "payments", "x", false },
        { "carol", "get", "", "secrets", "", "payments", "s", true },                           // edit reads secrets
        { "carol", "create", "", "pods", "exec", "payments", "p", true },                       // "pods/exec"
        { "carol", "create", "", "pods", "", "payments", "p", true },                           // edit writes pods, as in a cluster
        { "carol", "patch", "", "pods", "ephemeralcontainers", "payments", "p", false },        // but is not given kubectl debug
        { "carol", "get", "", "deployments", "", "payments", "web", false },                    // wrong API group
        { "alice", "update", "apps", "deployments", "status", "payments", "web", true },        // "*/status", any group
        { "alice", "update", "apps", "deployments", "", "payments", "web", false },
        { "alice", "update", "", "namespaces", "finalize", "", "x", false },
        { "alice", "deletecollection", "", "configmaps", "", "sandbox", "", true },             // verb "*"
        { "alice", "get", "", "secrets", "", "sandbox", "", false },
        { "system:serviceaccount:tools:robot", "update", "coordination.k8s.io", "leases", "", "tools", "leader", true },
        { "system:serviceaccount:tools:robot", "update", "coordination.k8s.io", "leases", "", "tools", "other", false }, // resourceNames
        { "system:serviceaccount:tools:robot", "list", "coordination.k8s.io", "leases", "", "tools", "", false },         // resourceNames need a name
        { "system:serviceaccount:tools:robot", "create", "", "configmaps", "", "tools", "", true },   // Role of the binding's namespace
        { "system:serviceaccount:tools:robot", "delete", "", "configmaps", "", "tools", "c", false }, // not the same-named Role elsewhere
        { "system:serviceaccount:tools:robot", "create", "authorization.k8s.io", "selfsubjectaccessreviews", "", "", "", true }, // basic-user
        { "root", "delete", "anything.example.com", "widgets", "sub", "x", "y", true },                // cluster-admin
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Resource_requests(string who, string verb, string group, string resource, string subresource, string ns, string name, bool allowed) =>
        Assert.Equal(allowed, Policy.Authorize(new AuthorizationAttributes(Person(who), verb, group, resource, subresource, ns, name)));

    [Theory]
    [InlineData("alice", "get", "/metrics", true)]
    [InlineData("alice", "get", "/metrics/x", false)]
    [InlineData("alice", "get", "/logs/kube-apiserver.log", true)]
    [InlineData("alice", "post", "/metrics", false)]
    [InlineData("carol", "get", "/apis/apps/v1", true)]
    [InlineData("carol", "get", "/version", true)]
    [InlineData("carol", "get", "/metrics", false)]
    [InlineData("root", "delete", "/anything", true)]
    public void Non_resource_requests(string who, string verb, string path, bool allowed) =>
        Assert.Equal(allowed, Policy.Authorize(AuthorizationAttributes.NonResource(Person(who), verb, path)));

    [Fact]
    public async Task Through_the_server_a_refusal_is_kube_apiservers_403_and_a_name_pinned_list_meets_resourceNames()
    {
        await using var server = await Servers.StartAsync();
        server.Seed(Servers.Namespace("payments"));
        server.Authorize = RbacAuthorizer.WithBootstrapPolicy(
        [
            Role("payments", "one-secret", [Rule(["get", "list", "watch"], [""], ["secrets"], ["tls"])]),
            RoleBinding("payments", "alice-secret", "Role", "one-secret", User("alice")),
        ]).Authorize;

        using var alice = server.CreateClient(Servers.Alice);
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => alice.CoreV1.ListNamespacedSecretAsync("payments"));
        Assert.Equal(403, (int)refused.Response.StatusCode);
        Assert.Equal("secrets is forbidden: User \"alice\" cannot list resource \"secrets\" in API group \"\" in the namespace \"payments\"",
            JsonNode.Parse(refused.Response.Content)!["message"]!.ToString());
        var pinned = await alice.CoreV1.ListNamespacedSecretAsync("payments", fieldSelector: "metadata.name=tls");
        Assert.Empty(pinned.Items);

        // A Namespace is read in its own namespace, so a RoleBinding there can allow it.
        Assert.Equal(403, (await server.SendAsync(Servers.Alice, HttpMethod.Get, "/api/v1/namespaces/payments")).Status);
        server.Authorize = RbacAuthorizer.WithBootstrapPolicy(
        [
            Role("payments", "one-secret", [Rule(["get", "list", "watch"], [""], ["secrets"], ["tls"])]),
            RoleBinding("payments", "alice-secret", "Role", "one-secret", User("alice")),
            RoleBinding("payments", "alice-view", "ClusterRole", "view", User("alice")),
        ]).Authorize;
        Assert.Equal(200, (await server.SendAsync(Servers.Alice, HttpMethod.Get, "/api/v1/namespaces/payments")).Status);
        Assert.Equal(403, (await server.SendAsync(Servers.Alice, HttpMethod.Get, "/api/v1/namespaces/default")).Status);
        Assert.Equal(403, (await server.SendAsync(Servers.Alice, HttpMethod.Get, "/api/v1/namespaces")).Status);

        var (discovery, body, _) = await server.SendAsync(Servers.Alice, HttpMethod.Get, "/apis");
        Assert.Equal(200, discovery);
        Assert.NotNull(body!["groups"]);

        var review = await alice.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview
        {
            Spec = new V1SelfSubjectAccessReviewSpec { ResourceAttributes = new V1ResourceAttributes { Verb = "get", Resource = "secrets", NamespaceProperty = "payments", Name = "tls" } },
        });
        Assert.True(review.Status.Allowed);
        var other = await alice.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview
        {
            Spec = new V1SelfSubjectAccessReviewSpec { NonResourceAttributes = new V1NonResourceAttributes { Verb = "get", Path = "/metrics" } },
        });
        Assert.False(other.Status.Allowed);
    }

    private static UserInfo Person(string who) => who switch
    {
        "carol" => Carol,
        "alice" => Alice,
        "root" => Root,
        _ => Robot,
    };
}
