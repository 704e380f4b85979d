namespace Admission.TestApiServer.Watch;

/// <summary>The lines of a watch stream, and how a selector turns a store event into one.</summary>
internal static class WatchEvents
{
    public static JsonObject Line(string type, JsonNode obj) => new() { ["type"] = type, ["object"] = obj.DeepClone() };

    public static JsonObject Bookmark(ResourceDefinition resource, long rv) => Line("BOOKMARK", new JsonObject
    {
        ["kind"] = resource.Kind,
        ["apiVersion"] = resource.ApiVersion,
        ["metadata"] = new JsonObject
        {
            ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture),
            ["creationTimestamp"] = null,
        },
    });

    /// <summary>
    /// What a filtered watch shows: an object that starts matching is ADDED, one that stops is
    /// DELETED, as kube-apiserver's watch cache does. Null when the watcher sees nothing.
    /// </summary>
    public static string? TypeFor(StoredEvent e, Func<JsonObject, bool> matches)
    {
        switch (e.Type)
        {
            case "MODIFIED":
                var now = matches(e.Object);
                var before = e.OldObject is not null && matches(e.OldObject);
                return (now, before) switch
                {
                    (true, true) => "MODIFIED",
                    (true, false) => "ADDED",
                    (false, true) => "DELETED",
                    _ => null,
                };
            default:
                return matches(e.Object) ? e.Type : null;
        }
    }
}
