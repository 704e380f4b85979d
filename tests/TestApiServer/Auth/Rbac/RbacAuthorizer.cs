namespace Admission.TestApiServer.Auth.Rbac;

/// <summary>
/// The RBAC authorizer over a fixed set of Roles, ClusterRoles, RoleBindings and ClusterRoleBindings
/// (plugin/pkg/auth/authorizer/rbac/rbac.go): a request is allowed when a rule of a role bound to the
/// user allows it. ClusterRoleBindings count everywhere; RoleBindings only in their namespace, to a
/// Role of that namespace or a ClusterRole. Subjects are users, groups and service accounts
/// (<c>system:serviceaccount:NS:NAME</c>, NS defaulting to the binding's). A ClusterRole with an
/// aggregationRule has the rules of every other ClusterRole its selectors match, as the
/// clusterrole-aggregation controller would have written them. Set <c>server.Authorize = rbac.Authorize</c>.
/// </summary>
public sealed class RbacAuthorizer
{
    private readonly Dictionary<string, JsonObject> _clusterRoles = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Namespace, string Name), JsonObject> _roles = [];
    private readonly List<JsonObject> _clusterRoleBindings = [];
    private readonly List<JsonObject> _roleBindings = [];

    /// <summary>Loads the RBAC objects among <paramref name="objects"/>; others are ignored.</summary>
    public RbacAuthorizer(IEnumerable<JsonObject> objects)
    {
        foreach (var obj in objects)
        {
            if (obj["apiVersion"]?.ToString() != "rbac.authorization.k8s.io/v1")
            {
                continue;
            }

            switch (obj["kind"]?.ToString())
            {
                case "ClusterRole":
                    _clusterRoles[Meta.Name(obj)] = obj;
                    break;
                case "Role":
                    _roles[(Meta.Namespace(obj), Meta.Name(obj))] = obj;
                    break;
                case "ClusterRoleBinding":
                    _clusterRoleBindings.Add(obj);
                    break;
                case "RoleBinding":
                    _roleBindings.Add(obj);
                    break;
            }
        }
    }

    /// <summary>With kube-apiserver's bootstrap roles (<see cref="BootstrapPolicy"/>) added.</summary>
    public static RbacAuthorizer WithBootstrapPolicy(IEnumerable<JsonObject> objects) => new([.. BootstrapPolicy.Objects(), .. objects]);

    public bool Authorize(AuthorizationAttributes request) => RulesFor(request.User, request.Namespace).Any(rule => rule.Allows(request));

    /// <summary>Every rule that applies to <paramref name="user"/> in <paramref name="ns"/> ("" for cluster scope).</summary>
    public IEnumerable<PolicyRule> RulesFor(UserInfo user, string ns)
    {
        foreach (var binding in _clusterRoleBindings.Where(b => AppliesTo(b, user, "")))
        {
            if (RoleRef(binding) is ("ClusterRole", var name))
            {
                foreach (var rule in ClusterRoleRules(name, []))
                {
                    yield return rule;
                }
            }
        }

        if (ns.Length == 0)
        {
            yield break;
        }

        foreach (var binding in _roleBindings.Where(b => Meta.Namespace(b) == ns && AppliesTo(b, user, ns)))
        {
            var rules = RoleRef(binding) switch
            {
                ("ClusterRole", var name) => ClusterRoleRules(name, []),
                ("Role", var name) when _roles.TryGetValue((ns, name), out var role) => Rules(role),
                _ => [],
            };
            foreach (var rule in rules)
            {
                yield return rule;
            }
        }
    }

    private List<PolicyRule> ClusterRoleRules(string name, HashSet<string> visiting)
    {
        if (!_clusterRoles.TryGetValue(name, out var role) || !visiting.Add(name))
        {
            return [];
        }

        if (role["aggregationRule"]?["clusterRoleSelectors"] is not JsonArray selectors)
        {
            return Rules(role);
        }

        // The aggregation controller replaces the rules with those of every matching ClusterRole.
        var rules = new List<PolicyRule>();
        foreach (var (otherName, other) in _clusterRoles.Where(p => p.Key != name))
        {
            var labels = LabelSelector.LabelsOf(other);
            if (selectors.OfType<JsonObject>().Any(s => SelectorMatcher.Matches(s, labels)))
            {
                rules.AddRange(ClusterRoleRules(otherName, visiting));
            }
        }

        return rules;
    }

    private static List<PolicyRule> Rules(JsonObject role) => [.. (role["rules"] as JsonArray ?? []).OfType<JsonObject>().Select(PolicyRule.From)];

    private static (string Kind, string Name) RoleRef(JsonObject binding) =>
        (binding["roleRef"]?["kind"]?.ToString() ?? "", binding["roleRef"]?["name"]?.ToString() ?? "");

    /// <summary>appliesToUser: any subject names the user, one of their groups, or their service account.</summary>
    private static bool AppliesTo(JsonObject binding, UserInfo user, string bindingNamespace) =>
        (binding["subjects"] as JsonArray ?? []).OfType<JsonObject>().Any(subject =>
        {
            var name = subject["name"]?.ToString() ?? "";
            switch (subject["kind"]?.ToString())
            {
                case "User":
                    return name == user.Username;
                case "Group":
                    return user.Groups.Contains(name);
                case "ServiceAccount":
                    var ns = subject["namespace"]?.ToString() is { Length: > 0 } given ? given : bindingNamespace;
                    return ns.Length > 0 && $"system:serviceaccount:{ns}:{name}" == user.Username;
                default:
                    return false;
            }
        });
}
