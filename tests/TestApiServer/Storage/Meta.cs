namespace Admission.TestApiServer.Storage;

/// <summary>Reads and writes of the metadata fields the server itself manages.</summary>
internal static class Meta
{
    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }

        metadata = [];
        obj["metadata"] = metadata;
        return metadata;
    }

    public static string Name(JsonNode? obj) => obj?["metadata"]?["name"]?.ToString() ?? "";

    public static string Namespace(JsonNode? obj) => obj?["metadata"]?["namespace"]?.ToString() ?? "";

    public static string ResourceVersionText(JsonNode? obj) => obj?["metadata"]?["resourceVersion"]?.ToString() ?? "";

    public static long ResourceVersion(JsonNode? obj) =>
        long.TryParse(ResourceVersionText(obj), NumberStyles.None, CultureInfo.InvariantCulture, out var rv) ? rv : 0;

    public static void SetResourceVersion(JsonObject obj, long rv) =>
        Metadata(obj)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);

    public static long Generation(JsonNode? obj) =>
        JsonValues.Integer(obj?["metadata"]?["generation"]) ?? 0;

    public static string Now() => DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
