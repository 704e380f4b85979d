namespace Admission.TestApiServer.Http;

/// <summary>
/// A resource URL taken apart: /api/v1/... or /apis/GROUP/VERSION/..., then
/// [namespaces/NS/]PLURAL[/NAME[/SUBRESOURCE]].
/// </summary>
internal sealed record ApiPath(ResourceDefinition Resource, string? Namespace, string? Name, string Subresource)
{
    public bool IsCollection => Name is null;

    /// <summary>Null when the path is not a resource path (discovery, or unknown).</summary>
    public static ApiPath? Parse(string path, ResourceCatalog catalog)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group, version;
        string[] rest;
        if (segments is ["api", var coreVersion, _, ..])
        {
            (group, version, rest) = ("", coreVersion, segments[2..]);
        }
        else if (segments is ["apis", var g, var v, _, ..])
        {
            (group, version, rest) = (g, v, segments[3..]);
        }
        else
        {
            return null;
        }

        // namespaces/NS/PLURAL... is a namespaced path unless PLURAL is a subresource of the Namespace itself.
        if (rest.Length >= 3 && rest[0] == "namespaces"
            && catalog.Find(group, version, rest[2]) is { Namespaced: true } namespaced)
        {
            return rest.Length switch
            {
                3 => new ApiPath(namespaced, rest[1], null, ""),
                4 => new ApiPath(namespaced, rest[1], rest[3], ""),
                5 => new ApiPath(namespaced, rest[1], rest[3], rest[4]),
                _ => null,
            };
        }

        var resource = catalog.Find(group, version, rest[0]);
        if (resource is null)
        {
            return null;
        }

        return rest.Length switch
        {
            1 => new ApiPath(resource, null, null, ""),
            2 when !resource.Namespaced => new ApiPath(resource, null, rest[1], ""),
            3 when !resource.Namespaced => new ApiPath(resource, null, rest[1], rest[2]),
            _ => null,
        };
    }
}
