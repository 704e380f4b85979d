namespace Admission.TestApiServer.Auth.Rbac;

/// <summary>rbac.authorization.k8s.io/v1 objects for tests, as <c>kubectl create (cluster)rolebinding</c> writes them.</summary>
public static class RbacObjects
{
    public const string ApiVersion = "rbac.authorization.k8s.io/v1";

    public static JsonObject User(string name) => new() { ["kind"] = "User", ["apiGroup"] = "rbac.authorization.k8s.io", ["name"] = name };

    public static JsonObject Group(string name) => new() { ["kind"] = "Group", ["apiGroup"] = "rbac.authorization.k8s.io", ["name"] = name };

    public static JsonObject ServiceAccount(string ns, string name) => new() { ["kind"] = "ServiceAccount", ["namespace"] = ns, ["name"] = name };

    public static JsonObject Rule(string[] verbs, string[] apiGroups, string[] resources, string[]? resourceNames = null)
    {
        var rule = new JsonObject { ["apiGroups"] = Strings(apiGroups), ["resources"] = Strings(resources) };
        if (resourceNames is not null)
        {
            rule["resourceNames"] = Strings(resourceNames);
        }

        rule["verbs"] = Strings(verbs);
        return rule;
    }

    public static JsonObject NonResourceRule(string[] verbs, string[] urls) => new() { ["nonResourceURLs"] = Strings(urls), ["verbs"] = Strings(verbs) };

    public static JsonObject ClusterRole(string name, IEnumerable<JsonObject> rules, IReadOnlyDictionary<string, string>? labels = null,
        IEnumerable<IReadOnlyDictionary<string, string>>? aggregateFrom = null)
    {
        var role = new JsonObject { ["apiVersion"] = ApiVersion, ["kind"] = "ClusterRole", ["metadata"] = Metadata(name, null, labels) };
        if (aggregateFrom is not null)
        {
            role["aggregationRule"] = new JsonObject
            {
                ["clusterRoleSelectors"] = new JsonArray([.. aggregateFrom.Select(l => (JsonNode)new JsonObject { ["matchLabels"] = Labels(l) })]),
            };
        }

        role["rules"] = new JsonArray([.. rules.Select(r => (JsonNode)r.DeepClone())]);
        return role;
    }

    public static JsonObject Role(string ns, string name, IEnumerable<JsonObject> rules) => new()
    {
        ["apiVersion"] = ApiVersion,
        ["kind"] = "Role",
        ["metadata"] = Metadata(name, ns, null),
        ["rules"] = new JsonArray([.. rules.Select(r => (JsonNode)r.DeepClone())]),
    };

    public static JsonObject ClusterRoleBinding(string name, string clusterRole, params JsonObject[] subjects) => new()
    {
        ["apiVersion"] = ApiVersion,
        ["kind"] = "ClusterRoleBinding",
        ["metadata"] = Metadata(name, null, null),
        ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = clusterRole },
        ["subjects"] = new JsonArray([.. subjects.Select(s => (JsonNode)s.DeepClone())]),
    };

    /// <param name="roleKind">"Role" (of <paramref name="ns"/>) or "ClusterRole".</param>
    public static JsonObject RoleBinding(string ns, string name, string roleKind, string role, params JsonObject[] subjects) => new()
    {
        ["apiVersion"] = ApiVersion,
        ["kind"] = "RoleBinding",
        ["metadata"] = Metadata(name, ns, null),
        ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = roleKind, ["name"] = role },
        ["subjects"] = new JsonArray([.. subjects.Select(s => (JsonNode)s.DeepClone())]),
    };

    private static JsonObject Metadata(string name, string? ns, IReadOnlyDictionary<string, string>? labels)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        if (labels is not null)
        {
            metadata["labels"] = Labels(labels);
        }

        return metadata;
    }

    private static JsonObject Labels(IReadOnlyDictionary<string, string> labels) =>
        new([.. labels.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]);

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)v)]);
}
