using System.Text.Json;

namespace Admission.Operator.Webhook;

/// <summary>
/// Reads an AdmissionReview from a parsed document without copying the objects: the request's
/// <c>object</c> and <c>oldObject</c> stay elements of the one parse of the body (up to two
/// 3 MiB objects per request), valid while the document lives.
/// </summary>
public static class ReviewReader
{
    public static AdmissionReview Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"the body is not an AdmissionReview (it is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object)");
        }
        return new AdmissionReview
        {
            ApiVersion = Str(root, "apiVersion"),
            Kind = Str(root, "kind"),
            Request = root.TryGetProperty("request", out var r) && r.ValueKind == JsonValueKind.Object ? Request(r) : null,
        };
    }

    private static AdmissionRequest Request(JsonElement r) => new()
    {
        Uid = Str(r, "uid"),
        Kind = Gvk(r, "kind"),
        Resource = Gvr(r, "resource"),
        SubResource = Str(r, "subResource"),
        RequestKind = Gvk(r, "requestKind"),
        RequestResource = Gvr(r, "requestResource"),
        RequestSubResource = Str(r, "requestSubResource"),
        Name = Str(r, "name"),
        Namespace = Str(r, "namespace"),
        Operation = Str(r, "operation"),
        UserInfo = User(r),
        Object = Element(r, "object"),
        OldObject = Element(r, "oldObject"),
        DryRun = r.TryGetProperty("dryRun", out var d) && d.ValueKind == JsonValueKind.True,
        Options = Element(r, "options"),
    };

    private static ReviewUserInfo? User(JsonElement r)
    {
        if (!r.TryGetProperty("userInfo", out var u) || u.ValueKind != JsonValueKind.Object) return null;
        List<string>? groups = null;
        if (u.TryGetProperty("groups", out var g) && g.ValueKind == JsonValueKind.Array)
        {
            groups = new List<string>(g.GetArrayLength());
            foreach (var item in g.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String) groups.Add(item.GetString()!);
            }
        }
        // extra is not used for decisions and is not read.
        return new ReviewUserInfo { Username = Str(u, "username"), Uid = Str(u, "uid"), Groups = groups };
    }

    private static GroupVersionKind? Gvk(JsonElement r, string name) =>
        r.TryGetProperty(name, out var k) && k.ValueKind == JsonValueKind.Object
            ? new GroupVersionKind { Group = Str(k, "group"), Version = Str(k, "version"), Kind = Str(k, "kind") }
            : null;

    private static GroupVersionResource? Gvr(JsonElement r, string name) =>
        r.TryGetProperty(name, out var k) && k.ValueKind == JsonValueKind.Object
            ? new GroupVersionResource { Group = Str(k, "group"), Version = Str(k, "version"), Resource = Str(k, "resource") }
            : null;

    private static JsonElement? Element(JsonElement r, string name) =>
        r.TryGetProperty(name, out var e) && e.ValueKind != JsonValueKind.Null ? e : null;

    private static string? Str(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
