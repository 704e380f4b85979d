using System.Diagnostics;
using System.Text.Json.Nodes;
using Admission.Policies;
using Admission.Policies.Manifests;
using Admission.TestApiServer.Auth.Rbac;

namespace Admission.Tests.Shared;

/// <summary>
/// The chart's Roles, ClusterRoles and bindings exactly as `helm template` renders them with default
/// values (release "admission" in admission-system), the pre-delete hook's included, loaded with kube-apiserver's bootstrap roles into
/// an RBAC authorizer, so that end-to-end runs give the webhook and the people exactly the
/// permissions a cluster would. Removing a verb from the chart makes the tests that need it fail.
/// </summary>
public static class ChartRbac
{
    public const string ServiceAccount = "admission";

    /// <param name="standIns">
    /// Service accounts that stand for the chart's one service account: a harness that runs two
    /// replicas under two names (to tell their writes apart) binds both wherever the chart binds its own.
    /// </param>
    /// <param name="people">The bindings the test gives its users (approvers, requesters).</param>
    public static RbacAuthorizer Authorizer(IEnumerable<string> standIns, IEnumerable<JsonObject> people) =>
        RbacAuthorizer.WithBootstrapPolicy([.. Render(standIns), .. people]);

    public static IReadOnlyList<JsonObject> Render(IEnumerable<string> standIns)
    {
        var objects = ChartWebhooks.Template(["templates/rbac.yaml", "templates/rbac-users.yaml", "templates/uninstall-hook.yaml"])
            .Where(m => m.Kind is "Role" or "ClusterRole" or "RoleBinding" or "ClusterRoleBinding") // the uninstall hook's Job and account are not RBAC
            .Select(m => JsonNode.Parse(m.Object.GetRawText())!.AsObject()).ToList();
        if (objects.Count == 0) throw new InvalidOperationException("the chart rendered no RBAC objects");

        var aliases = standIns.ToList();
        foreach (var binding in objects.Where(o => o["kind"]?.ToString() is "RoleBinding" or "ClusterRoleBinding"))
        {
            var subjects = binding["subjects"]!.AsArray();
            var own = subjects.OfType<JsonObject>().FirstOrDefault(s => s["kind"]?.ToString() == "ServiceAccount" && s["name"]?.ToString() == ServiceAccount);
            if (own is null) continue;
            foreach (var alias in aliases) subjects.Add(RbacObjects.ServiceAccount(own["namespace"]!.ToString(), alias));
        }
        return objects;
    }
}
