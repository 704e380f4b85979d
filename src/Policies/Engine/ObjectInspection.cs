using System.Text.Json;

namespace Admission.Policies;

/// <summary>Questions the rules ask of a Kubernetes object, answered without deserialising it.</summary>
public static class ObjectInspection
{
    private static readonly string[] ContainerLists = ["containers", "initContainers", "ephemeralContainers"];

    /// <summary>
    /// Every image of every container, init container and ephemeral container, wherever the pod
    /// spec sits (Pod, a workload's template, a CronJob's job template), in document order.
    /// </summary>
    public static List<string> Images(JsonElement obj)
    {
        var images = new List<string>();
        if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("spec", out var spec))
        {
            Collect(spec, images, depth: 0);
        }
        return images;
    }

    private static void Collect(JsonElement node, List<string> images, int depth)
    {
        // Pod specs sit at most a few levels down; the bound keeps hostile input cheap.
        if (depth > 12) return;
        if (node.ValueKind == JsonValueKind.Object)
        {
            foreach (var prop in node.EnumerateObject())
            {
                if (prop.Value.ValueKind == JsonValueKind.Array && Array.IndexOf(ContainerLists, prop.Name) >= 0)
                {
                    foreach (var c in prop.Value.EnumerateArray())
                    {
                        if (c.ValueKind == JsonValueKind.Object && c.TryGetProperty("image", out var image))
                        {
                            images.Add(image.ValueKind == JsonValueKind.String ? image.GetString() ?? "" : image.GetRawText());
                        }
                    }
                }
                else if (prop.Value.ValueKind == JsonValueKind.Object && prop.Name != "metadata" && prop.Name != "status")
                {
                    Collect(prop.Value, images, depth + 1);
                }
            }
        }
    }

    /// <summary>
    /// True when nothing outside <c>metadata</c> and <c>status</c> differs; with
    /// <paramref name="ignoreReplicas"/>, <c>spec.replicas</c> may differ too.
    /// </summary>
    public static bool OnlyMetadataOrStatusChanged(JsonElement oldObj, JsonElement newObj, bool ignoreReplicas)
    {
        if (oldObj.ValueKind != JsonValueKind.Object || newObj.ValueKind != JsonValueKind.Object) return false;
        return SameExcept(oldObj, newObj, name => name is "metadata" or "status", (name, a, b) =>
            name == "spec" && ignoreReplicas ? SameExcept(a, b, n => n == "replicas", null) : JsonElement.DeepEquals(a, b));
    }

    /// <summary>Compares two objects property by property, in any order, skipping <paramref name="skip"/>.</summary>
    public static bool SameExcept(JsonElement a, JsonElement b, Func<string, bool> skip, Func<string, JsonElement, JsonElement, bool>? compare)
    {
        if (a.ValueKind != JsonValueKind.Object || b.ValueKind != JsonValueKind.Object) return JsonElement.DeepEquals(a, b);
        var seen = 0;
        foreach (var prop in a.EnumerateObject())
        {
            if (skip(prop.Name)) continue;
            seen++;
            if (!b.TryGetProperty(prop.Name, out var other)) return false;
            var same = compare is null ? JsonElement.DeepEquals(prop.Value, other) : compare(prop.Name, prop.Value, other);
            if (!same) return false;
        }
        var count = 0;
        foreach (var prop in b.EnumerateObject())
        {
            if (!skip(prop.Name)) count++;
        }
        return count == seen;
    }

    public static string? Annotation(JsonElement? obj, string key) =>
        obj is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("metadata", out var meta) &&
        meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("annotations", out var ann) &&
        ann.ValueKind == JsonValueKind.Object && ann.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;

    public static IReadOnlyDictionary<string, string> Labels(JsonElement? obj)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("metadata", out var meta) &&
            meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("labels", out var l) && l.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in l.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.String) labels[p.Name] = p.Value.GetString()!;
            }
        }
        return labels;
    }
}
