using System.Text.Json;
using System.Text.Json.Nodes;

namespace Admission.Kubernetes;

/// <summary>
/// The same readers as <see cref="ObjectFields"/> over a <see cref="JsonNode"/>: the form objects
/// take while a program builds or edits them before a write (a ChangeApproval it creates, a body
/// it replaces). Missing or mistyped fields read as null or empty.
/// </summary>
public static class NodeFields
{
    public static string? Name(JsonNode? obj) => StringAt(obj, "metadata", "name");

    public static string? Namespace(JsonNode? obj) => StringAt(obj, "metadata", "namespace");

    public static string? Uid(JsonNode? obj) => StringAt(obj, "metadata", "uid");

    public static string? ResourceVersion(JsonNode? obj) => StringAt(obj, "metadata", "resourceVersion");

    public static string? DeletionTimestamp(JsonNode? obj) => StringAt(obj, "metadata", "deletionTimestamp");

    public static IReadOnlyDictionary<string, string> Labels(JsonNode? obj) => StringMap(obj, "labels");

    public static IReadOnlyDictionary<string, string> Annotations(JsonNode? obj) => StringMap(obj, "annotations");

    public static IReadOnlyList<string> Finalizers(JsonNode? obj)
    {
        if (At(obj, "metadata", "finalizers") is not JsonArray list) return [];
        var result = new List<string>(list.Count);
        foreach (var item in list)
        {
            if (item is JsonValue v && v.GetValueKind() == JsonValueKind.String) result.Add(v.GetValue<string>());
        }
        return result;
    }

    /// <summary>The string at a path of property names; null when any step is missing or not an object.</summary>
    public static string? StringAt(JsonNode? obj, params ReadOnlySpan<string> path) =>
        At(obj, path) is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>The node at a path of property names; null when any step is missing or not an object.</summary>
    public static JsonNode? At(JsonNode? obj, params ReadOnlySpan<string> path)
    {
        var node = obj;
        foreach (var name in path)
        {
            if (node is not JsonObject o || !o.TryGetPropertyValue(name, out node)) return null;
        }
        return node;
    }

    private static Dictionary<string, string> StringMap(JsonNode? obj, string field)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (At(obj, "metadata", field) is not JsonObject map) return result;
        foreach (var (key, value) in map)
        {
            if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String) result[key] = v.GetValue<string>();
        }
        return result;
    }
}
