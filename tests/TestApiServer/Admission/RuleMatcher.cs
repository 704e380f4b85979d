namespace Admission.TestApiServer.Admission;

/// <summary>
/// A webhook's rules against a request, with kube-apiserver's wildcard forms: "*" for groups,
/// versions and operations; for resources "*" (all resources, no subresources), "*/*" (everything),
/// "deployments/*", "*/scale" and "deployments/scale"; scope "*", "Cluster" or "Namespaced".
/// matchPolicy does not matter here because every type is served at one version only.
/// </summary>
internal static class RuleMatcher
{
    public static bool AnyMatches(JsonNode? rules, AdmissionAttributes request) =>
        rules is JsonArray list && list.OfType<JsonObject>().Any(rule => Matches(rule, request));

    private static bool Matches(JsonObject rule, AdmissionAttributes request) =>
        ListMatches(rule["operations"], request.Operation)
        && ListMatches(rule["apiGroups"], request.Resource.Group)
        && ListMatches(rule["apiVersions"], request.Resource.Version)
        && ResourceMatches(rule["resources"], request.Resource.Plural, request.Subresource)
        && ScopeMatches(rule["scope"]?.ToString(), request.Resource.Namespaced);

    private static bool ListMatches(JsonNode? list, string value) =>
        list is JsonArray items && items.Any(i => i?.ToString() is "*" || i?.ToString() == value);

    private static bool ResourceMatches(JsonNode? list, string resource, string subresource)
    {
        if (list is not JsonArray items)
        {
            return false;
        }

        foreach (var item in items.Select(i => i?.ToString() ?? ""))
        {
            if (item == "*/*")
            {
                return true;
            }

            var slash = item.IndexOf('/', StringComparison.Ordinal);
            var (res, sub) = slash < 0 ? (item, (string?)null) : (item[..slash], item[(slash + 1)..]);
            var resourceOk = res == "*" || res == resource;
            var subOk = sub is null ? subresource.Length == 0 : sub == "*" || sub == subresource;
            if (resourceOk && subOk)
            {
                return true;
            }
        }

        return false;
    }

    private static bool ScopeMatches(string? scope, bool namespaced) => scope switch
    {
        "Cluster" => !namespaced,
        "Namespaced" => namespaced,
        _ => true,
    };
}
