namespace Admission.TestApiServer.Http;

/// <summary>
/// Just enough OpenAPI v3 for kubectl: each group-version document lists a PATCH operation per type
/// that takes the fieldValidation query parameter, so kubectl create/apply/replace leave validation
/// to the server instead of downloading schemas. There are no schemas: kubectl apply then computes
/// strategic merge patches from its compiled-in types. /openapi/v2 is 404.
/// </summary>
internal static class OpenApi
{
    public static JsonObject Root(ResourceCatalog catalog)
    {
        var paths = new JsonObject();
        foreach (var gv in catalog.All.Select(d => (d.Group, d.Version)).Distinct())
        {
            var key = Key(gv.Group, gv.Version);
            paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash=0" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    public static JsonObject? GroupVersion(ResourceCatalog catalog, string key)
    {
        var resources = catalog.All.Where(d => Key(d.Group, d.Version) == key && !d.CreateOnly).ToList();
        if (resources.Count == 0 && !catalog.All.Any(d => Key(d.Group, d.Version) == key))
        {
            return null;
        }

        var paths = new JsonObject();
        foreach (var resource in resources)
        {
            var prefix = "/" + key + (resource.Namespaced ? "/namespaces/{namespace}/" : "/") + resource.Plural + "/{name}";
            paths[prefix] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["x-kubernetes-group-version-kind"] = new JsonObject
                    {
                        ["group"] = resource.Group,
                        ["version"] = resource.Version,
                        ["kind"] = resource.Kind,
                    },
                    ["parameters"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "fieldValidation",
                        ["in"] = "query",
                        ["schema"] = new JsonObject { ["type"] = "string" },
                    }),
                    ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
                },
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }

    private static string Key(string group, string version) => group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";
}
