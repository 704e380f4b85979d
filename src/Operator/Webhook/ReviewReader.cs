using System.Text.Json;

namespace Admission.Operator.Webhook;

/// <summary>
/// Reads an AdmissionReview from a parsed document without copying the objects: the request's
/// <c>object</c> and <c>oldObject</c> stay elements of the one parse of the body (up to two
/// 3 MiB objects per request), valid while the document lives.
/// Strict, because a lenient read is a way around the gate: a field of the wrong JSON type (a
/// number where a string belongs, a string where the object belongs) is an error naming the
/// field, never read as absent (contract 2.1). Unknown fields are ignored, as kube-apiserver's
/// own decoder does.
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
            ApiVersion = Str(root, "apiVersion", ""),
            Kind = Str(root, "kind", ""),
            Request = Obj(root, "request", "") is { } r ? Request(r) : null,
        };
    }

    private static AdmissionRequest Request(JsonElement r) => new()
    {
        // Every review has its own uid: not worth keeping for the next one.
        Uid = Str(r, "uid", "request.", recurring: false),
        Kind = Gvk(r, "kind"),
        Resource = Gvr(r, "resource"),
        SubResource = Str(r, "subResource", "request."),
        RequestKind = Gvk(r, "requestKind"),
        RequestResource = Gvr(r, "requestResource"),
        RequestSubResource = Str(r, "requestSubResource", "request."),
        Name = Str(r, "name", "request."),
        Namespace = Str(r, "namespace", "request."),
        Operation = Str(r, "operation", "request."),
        UserInfo = User(r),
        Object = Obj(r, "object", "request."),
        OldObject = Obj(r, "oldObject", "request."),
        DryRun = Bool(r, "dryRun", "request."),
        Options = Obj(r, "options", "request."),
    };

    private static ReviewUserInfo? User(JsonElement r)
    {
        if (Obj(r, "userInfo", "request.") is not { } u) return null;
        List<string>? groups = null;
        if (Field(u, "groups", "request.userInfo.", JsonValueKind.Array) is { } g)
        {
            groups = new List<string>(g.GetArrayLength());
            var i = 0;
            foreach (var item in g.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String) throw Wrong($"request.userInfo.groups[{i}]", "a string", item);
                groups.Add(item.ValueKind == JsonValueKind.String && TryText(item, out var group) ? group
                    : throw new JsonException($"request.userInfo.groups[{i}] is not valid Unicode text"));
                i++;
            }
        }
        // extra is not used for decisions, but its shape is checked like the rest.
        if (Field(u, "extra", "request.userInfo.", JsonValueKind.Object) is { } extra)
        {
            foreach (var p in extra.EnumerateObject())
            {
                if (p.Value.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null)) throw Wrong($"request.userInfo.extra.{p.Name}", "a list of strings", p.Value);
            }
        }
        return new ReviewUserInfo { Username = Str(u, "username", "request.userInfo."), Uid = Str(u, "uid", "request.userInfo."), Groups = groups };
    }

    private static GroupVersionKind? Gvk(JsonElement r, string name)
    {
        if (Obj(r, name, "request.") is not { } k) return null;
        var path = name == "kind" ? "request.kind." : "request.requestKind.";
        return new GroupVersionKind { Group = Str(k, "group", path), Version = Str(k, "version", path), Kind = Str(k, "kind", path) };
    }

    private static GroupVersionResource? Gvr(JsonElement r, string name)
    {
        if (Obj(r, name, "request.") is not { } k) return null;
        var path = name == "resource" ? "request.resource." : "request.requestResource.";
        return new GroupVersionResource { Group = Str(k, "group", path), Version = Str(k, "version", path), Resource = Str(k, "resource", path) };
    }

    /// <summary>The field's value when present and not null; of another JSON type, an error naming it.</summary>
    private static JsonElement? Field(JsonElement obj, string name, string path, JsonValueKind expected)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != expected)
        {
            throw Wrong(path + name, expected switch
            {
                JsonValueKind.String => "a string",
                JsonValueKind.Object => "an object",
                JsonValueKind.Array => "a list",
                _ => "true or false",
            }, v);
        }
        return v;
    }

    private static JsonElement? Obj(JsonElement obj, string name, string path) => Field(obj, name, path, JsonValueKind.Object);

    private static string? Str(JsonElement obj, string name, string path, bool recurring = true) =>
        Field(obj, name, path, JsonValueKind.String) is { } v ? Text(v, path, name, recurring) : null;

    private static bool Bool(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return false;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Wrong(path + name, "true or false", v),
        };
    }

    /// <summary>A string's text; an escaped lone surrogate (\ud800) is no text and is refused.</summary>
    /// <remarks>The field's path comes in two parts, joined only for the error: every review reads some twenty strings.</remarks>
    private static string Text(JsonElement v, string path, string name, bool recurring) =>
        TryText(v, out var text, recurring) ? text : throw new JsonException($"{path}{name} is not valid Unicode text");

    /// <param name="recurring">Whether the value is one that recurs across reviews (most do), and so is looked up in <see cref="RecurringStrings"/>.</param>
    private static bool TryText(JsonElement v, out string text, bool recurring = true)
    {
        try
        {
            text = recurring ? RecurringStrings.Get(v) : v.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
    }

    private static JsonException Wrong(string path, string expected, JsonElement actual) =>
        new($"{path} must be {expected}, not a JSON {actual.ValueKind.ToString().ToLowerInvariant()}");
}
