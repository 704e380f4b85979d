namespace Admission.TestApiServer.Auth.Rbac;

/// <summary>
/// One rbac.authorization.k8s.io/v1 PolicyRule and how it matches a request: the rbac authorizer's
/// RuleAllows with the rbacv1 helpers VerbMatches, APIGroupMatches, ResourceMatches,
/// ResourceNameMatches and NonResourceURLMatches (plugin/pkg/auth/authorizer/rbac/rbac.go,
/// pkg/apis/rbac/v1/evaluation_helpers.go).
/// </summary>
public sealed record PolicyRule(
    IReadOnlyList<string> Verbs,
    IReadOnlyList<string> ApiGroups,
    IReadOnlyList<string> Resources,
    IReadOnlyList<string> ResourceNames,
    IReadOnlyList<string> NonResourceUrls)
{
    public static PolicyRule From(JsonObject rule) =>
        new(Strings(rule["verbs"]), Strings(rule["apiGroups"]), Strings(rule["resources"]), Strings(rule["resourceNames"]),
            Strings(rule["nonResourceURLs"]));

    public bool Allows(AuthorizationAttributes request)
    {
        if (!Verbs.Any(v => v == "*" || v == request.Verb))
        {
            return false;
        }

        if (!request.IsResourceRequest)
        {
            return NonResourceUrls.Any(url => url == "*" || url == request.Path
                || (url.EndsWith('*') && request.Path.StartsWith(url[..^1], StringComparison.Ordinal)));
        }

        return ApiGroups.Any(g => g == "*" || g == request.Group)
            && ResourceMatches(request.Resource, request.Subresource)
            && (ResourceNames.Count == 0 || ResourceNames.Contains(request.Name));
    }

    /// <summary>"*", the resource itself ("pods" or "pods/exec"), or "*/exec" for that subresource of anything.</summary>
    private bool ResourceMatches(string resource, string subresource)
    {
        var combined = subresource.Length > 0 ? $"{resource}/{subresource}" : resource;
        return Resources.Any(r => r == "*" || r == combined
            || (subresource.Length > 0 && r.Length == subresource.Length + 2 && r.StartsWith("*/", StringComparison.Ordinal)
                && r.EndsWith(subresource, StringComparison.Ordinal)));
    }

    private static List<string> Strings(JsonNode? node) => [.. (node as JsonArray ?? []).Select(v => v?.ToString() ?? "")];
}
