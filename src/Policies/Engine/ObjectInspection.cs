using System.Runtime.InteropServices;
using System.Text.Json;

namespace Admission.Policies;

/// <summary>Questions the rules ask of a Kubernetes object, answered without deserialising it.</summary>
public static class ObjectInspection
{
    private static readonly string[] ContainerLists = ["containers", "initContainers", "ephemeralContainers"];

    /// <summary>
    /// Every image of every container, init container and ephemeral container of the pod template,
    /// at the kind's real pod template path (<see cref="WorkloadKind.PodSpecPath"/>), in document order.
    /// </summary>
    public static List<string> Images(JsonElement obj, WorkloadKind kind)
    {
        var images = new List<string>();
        var node = obj;
        foreach (var step in kind.PodSpecPath)
        {
            if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(step, out node)) return images;
        }
        if (node.ValueKind != JsonValueKind.Object) return images;
        // In document order, as the denial lists them.
        foreach (var list in node.EnumerateObject())
        {
            if (list.Value.ValueKind != JsonValueKind.Array || !IsContainerList(list)) continue;
            foreach (var c in list.Value.EnumerateArray())
            {
                if (c.ValueKind == JsonValueKind.Object && c.TryGetProperty("image"u8, out var image))
                {
                    images.Add(image.ValueKind == JsonValueKind.String ? image.GetString() ?? "" : image.GetRawText());
                }
            }
        }
        return images;
    }

    /// <summary>Whether the member is one of <see cref="ContainerLists"/>; a plainly written name is compared as parsed, without making a string of it.</summary>
    private static bool IsContainerList(JsonProperty list)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(list);
        if (!Plain(raw)) return Array.IndexOf(ContainerLists, list.Name) >= 0;
        return raw.SequenceEqual("containers"u8) || raw.SequenceEqual("initContainers"u8) || raw.SequenceEqual("ephemeralContainers"u8);
    }

    /// <summary>The images of a manifest, its kind read from its own apiVersion and kind.</summary>
    public static List<string> Images(JsonElement obj)
    {
        var apiVersion = obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("apiVersion", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        var kind = obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : "";
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return Images(obj, new WorkloadKind(slash < 0 ? "" : apiVersion[..slash], kind));
    }

    /// <summary>
    /// True when the two objects have the same content (contract, "Words"): everything but
    /// <c>metadata</c> and <c>status</c>, and, as the policy says, but <c>spec.replicas</c> and the
    /// pod template's <c>kubectl.kubernetes.io/restartedAt</c> annotation; a map left empty by these
    /// removals counts as absent.
    /// </summary>
    public static bool SameContent(JsonElement oldObj, JsonElement newObj, WorkloadKind kind, AdmissionPolicy policy)
    {
        if (oldObj.ValueKind != JsonValueKind.Object || newObj.ValueKind != JsonValueKind.Object) return false;
        return Same(oldObj, newObj, ContentRemovals.For(kind, policy));
    }

    /// <summary>True when <c>metadata.ownerReferences</c> is the same (absent and empty are the same).</summary>
    public static bool SameOwnerReferences(JsonElement oldObj, JsonElement newObj)
    {
        var a = OwnerReferences(oldObj);
        var b = OwnerReferences(newObj);
        if (a is null || b is null) return a is null && b is null;
        return JsonElement.DeepEquals(a.Value, b.Value);
    }

    /// <summary>True when an ownerReference has <c>controller: true</c>: a controller owns the object (a ReplicaSet's Pod).</summary>
    public static bool ControllerOwned(JsonElement? obj)
    {
        if (obj is not { } o || OwnerReferences(o) is not { ValueKind: JsonValueKind.Array } refs) return false;
        foreach (var r in refs.EnumerateArray())
        {
            if (r.ValueKind == JsonValueKind.Object && r.TryGetProperty("controller"u8, out var c) && c.ValueKind == JsonValueKind.True) return true;
        }
        return false;
    }

    /// <summary>True when <c>metadata.deletionTimestamp</c> is set: kube-apiserver has begun deleting the object.</summary>
    public static bool BeingDeleted(JsonElement? obj) =>
        obj is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("metadata"u8, out var meta) && meta.ValueKind == JsonValueKind.Object &&
        meta.TryGetProperty("deletionTimestamp"u8, out var at) && at.ValueKind == JsonValueKind.String && at.GetString() is { Length: > 0 };

    private static JsonElement? OwnerReferences(JsonElement obj) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("metadata"u8, out var meta) && meta.ValueKind == JsonValueKind.Object &&
        meta.TryGetProperty("ownerReferences"u8, out var refs) && !(refs.ValueKind == JsonValueKind.Array && refs.GetArrayLength() == 0) && refs.ValueKind != JsonValueKind.Null
            ? refs
            : null;

    /// <summary>Equality of two values with the parts <paramref name="removals"/> names taken out.</summary>
    /// <remarks>
    /// Every guarded UPDATE is compared, so a name written plainly (ASCII, no escape: nearly all of
    /// them) is looked up by its bytes as parsed, without making a string of it; that finds what
    /// the name as a string finds. Any other name goes through the string, as before.
    /// </remarks>
    private static bool Same(JsonElement a, JsonElement b, ContentRemovals? removals)
    {
        if (removals is null || a.ValueKind != JsonValueKind.Object || b.ValueKind != JsonValueKind.Object) return JsonElement.DeepEquals(a, b);
        var counted = 0;
        foreach (var p in a.EnumerateObject())
        {
            var raw = JsonMarshal.GetRawUtf8PropertyName(p);
            var plain = Plain(raw);
            var child = plain ? removals.Child(raw) : removals.Child(p.Name);
            if (Absent(p.Value, child)) continue;
            counted++;
            JsonElement other;
            var found = plain ? b.TryGetProperty(raw, out other) : b.TryGetProperty(p.Name, out other);
            if (!found || Absent(other, child) || !Same(p.Value, other, child)) return false;
        }
        foreach (var p in b.EnumerateObject())
        {
            if (!Absent(p.Value, Child(removals, p))) counted--;
        }
        return counted == 0;
    }

    /// <summary>Removed, or a map that the removals leave empty.</summary>
    private static bool Absent(JsonElement value, ContentRemovals? node)
    {
        if (node is null) return false;
        if (node.Removed) return true;
        if (value.ValueKind != JsonValueKind.Object) return false;
        var any = false;
        foreach (var p in value.EnumerateObject())
        {
            any = true;
            if (!Absent(p.Value, Child(node, p))) return false;
        }
        return any;
    }

    private static ContentRemovals? Child(ContentRemovals node, JsonProperty p)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(p);
        return Plain(raw) ? node.Child(raw) : node.Child(p.Name);
    }

    /// <summary>ASCII without an escape: the bytes as parsed are the name's UTF-8.</summary>
    private static bool Plain(ReadOnlySpan<byte> raw) => System.Text.Ascii.IsValid(raw) && raw.IndexOf((byte)'\\') < 0;

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
        obj is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("metadata"u8, out var meta) &&
        meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("annotations"u8, out var ann) &&
        ann.ValueKind == JsonValueKind.Object && ann.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;

    public static IReadOnlyDictionary<string, string> Labels(JsonElement? obj)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("metadata"u8, out var meta) &&
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
