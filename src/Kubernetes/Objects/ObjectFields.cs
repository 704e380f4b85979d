using System.Text.Json;

namespace Admission.Kubernetes;

/// <summary>
/// Fields of a Kubernetes object as the API server sends it, read from a <see cref="JsonElement"/>
/// without binding a model: what the operator's caches and the plugin's tables need of metadata,
/// and a string at any path. Every reader answers null (or empty) for a field that is missing or
/// of another JSON kind, never throws: objects from a watch or another tool are not trusted to
/// have the shape their schema promises.
/// </summary>
public static class ObjectFields
{
    public static string? Name(JsonElement obj) => StringAt(obj, "metadata", "name");

    public static string? Namespace(JsonElement obj) => StringAt(obj, "metadata", "namespace");

    public static string? Uid(JsonElement obj) => StringAt(obj, "metadata", "uid");

    public static string? ResourceVersion(JsonElement obj) => StringAt(obj, "metadata", "resourceVersion");

    /// <summary>metadata.creationTimestamp as written (RFC 3339).</summary>
    public static string? CreationTimestamp(JsonElement obj) => StringAt(obj, "metadata", "creationTimestamp");

    /// <summary>metadata.deletionTimestamp as written (RFC 3339); null while the object is not being deleted.</summary>
    public static string? DeletionTimestamp(JsonElement obj) => StringAt(obj, "metadata", "deletionTimestamp");

    /// <summary>metadata.generation; null when absent or not a whole number.</summary>
    public static long? Generation(JsonElement obj) =>
        TryGet(obj, out var g, "metadata", "generation") && g.ValueKind == JsonValueKind.Number && g.TryGetInt64(out var n) ? n : null;

    public static IReadOnlyDictionary<string, string> Labels(JsonElement obj) => StringMap(obj, "labels");

    public static IReadOnlyDictionary<string, string> Annotations(JsonElement obj) => StringMap(obj, "annotations");

    public static string? Label(JsonElement obj, string key) => StringAt(obj, "metadata", "labels", key);

    public static string? Annotation(JsonElement obj, string key) => StringAt(obj, "metadata", "annotations", key);

    /// <summary>metadata.finalizers, in order; the string entries only.</summary>
    public static IReadOnlyList<string> Finalizers(JsonElement obj)
    {
        if (!TryGet(obj, out var list, "metadata", "finalizers") || list.ValueKind != JsonValueKind.Array) return [];
        var result = new List<string>(list.GetArrayLength());
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String) result.Add(item.GetString()!);
        }
        return result;
    }

    public static bool HasFinalizer(JsonElement obj, string finalizer)
    {
        if (!TryGet(obj, out var list, "metadata", "finalizers") || list.ValueKind != JsonValueKind.Array) return false;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && item.ValueEquals(finalizer)) return true;
        }
        return false;
    }

    /// <summary>The string at a path of property names (<c>"status", "phase"</c>); null when any step is missing or not an object.</summary>
    public static string? StringAt(JsonElement obj, params ReadOnlySpan<string> path) =>
        TryGet(obj, out var value, path) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The value at a path of property names, when every step but the last is an object that has the next.</summary>
    public static bool TryGet(JsonElement obj, out JsonElement value, params ReadOnlySpan<string> path)
    {
        value = obj;
        foreach (var name in path)
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(name, out value))
            {
                value = default;
                return false;
            }
        }
        return true;
    }

    private static Dictionary<string, string> StringMap(JsonElement obj, string field)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!TryGet(obj, out var map, "metadata", field) || map.ValueKind != JsonValueKind.Object) return result;
        foreach (var p in map.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.String) result[p.Name] = p.Value.GetString()!;
        }
        return result;
    }
}
