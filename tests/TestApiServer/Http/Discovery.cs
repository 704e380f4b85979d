namespace Admission.TestApiServer.Http;

/// <summary>
/// Legacy discovery documents (/api, /apis, /api/v1, /apis/G/V) and /version. Clients that ask for
/// aggregated discovery get the legacy form, marked by its plain application/json content type,
/// and fall back to per-group requests as they do against an older server.
/// </summary>
internal static class Discovery
{
    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.0-admission-test",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2025-01-01T00:00:00Z",
        ["goVersion"] = "go1.23.0",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject
        {
            ["clientCIDR"] = "0.0.0.0/0",
            ["serverAddress"] = serverAddress,
        }),
    };

    public static JsonObject GroupList(ResourceCatalog catalog) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(catalog.Groups().Select(g => (JsonNode)Group(g.Group, g.Versions)).ToArray()),
    };

    public static JsonObject? GroupDocument(ResourceCatalog catalog, string group)
    {
        var found = catalog.Groups().FirstOrDefault(g => g.Group == group);
        if (found.Group is null)
        {
            return null;
        }

        var doc = Group(found.Group, found.Versions);
        doc["kind"] = "APIGroup";
        doc["apiVersion"] = "v1";
        return doc;
    }

    public static JsonObject? ResourceList(ResourceCatalog catalog, string group, string version)
    {
        var resources = catalog.All.Where(d => d.Group == group && d.Version == version).ToList();
        if (resources.Count == 0)
        {
            return null;
        }

        var list = new JsonArray();
        foreach (var resource in resources)
        {
            list.Add(Resource(resource));
            foreach (var sub in resource.SubresourceNames)
            {
                list.Add(Subresource(resource, sub));
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = resources[0].GroupVersion,
            ["resources"] = list,
        };
    }

    private static JsonObject Group(string name, IReadOnlyList<string> versions)
    {
        var entries = versions.Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{name}/{v}", ["version"] = v }).ToArray();
        return new JsonObject
        {
            ["name"] = name,
            ["versions"] = new JsonArray(entries),
            ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{name}/{versions[0]}", ["version"] = versions[0] },
        };
    }

    private static JsonObject Resource(ResourceDefinition resource)
    {
        var doc = new JsonObject
        {
            ["name"] = resource.Plural,
            ["singularName"] = resource.Singular,
            ["namespaced"] = resource.Namespaced,
            ["kind"] = resource.Kind,
            ["verbs"] = new JsonArray(resource.Verbs.Select(v => (JsonNode)v).ToArray()),
        };
        if (resource.ShortNameList.Count > 0)
        {
            doc["shortNames"] = new JsonArray(resource.ShortNameList.Select(v => (JsonNode)v).ToArray());
        }

        if (resource.Group == "apps")
        {
            doc["categories"] = new JsonArray("all");
        }

        return doc;
    }

    private static JsonObject Subresource(ResourceDefinition resource, string sub)
    {
        var doc = new JsonObject
        {
            ["name"] = $"{resource.Plural}/{sub}",
            ["singularName"] = "",
            ["namespaced"] = resource.Namespaced,
            ["kind"] = resource.Kind,
            ["verbs"] = new JsonArray("get", "patch", "update"),
        };
        if (sub == "finalize")
        {
            doc["verbs"] = new JsonArray("update");
        }

        if (sub == "scale")
        {
            doc["group"] = "autoscaling";
            doc["version"] = "v1";
            doc["kind"] = "Scale";
        }

        return doc;
    }
}
