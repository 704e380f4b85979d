using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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

    private static AdmissionRequest Request(JsonElement r)
    {
        var f = RequestFields.Of(r);
        return new()
        {
            // Every review has its own uid: not worth keeping for the next one.
            Uid = Str(f[RequestFields.Uid], "uid", "request.", recurring: false),
            Kind = Gvk(f[RequestFields.Kind], "kind"),
            Resource = Gvr(f[RequestFields.Resource], "resource"),
            SubResource = Str(f[RequestFields.SubResource], "subResource", "request."),
            RequestKind = Gvk(f[RequestFields.RequestKind], "requestKind"),
            RequestResource = Gvr(f[RequestFields.RequestResource], "requestResource"),
            RequestSubResource = Str(f[RequestFields.RequestSubResource], "requestSubResource", "request."),
            Name = Str(f[RequestFields.Name], "name", "request."),
            Namespace = Str(f[RequestFields.Namespace], "namespace", "request."),
            Operation = Str(f[RequestFields.Operation], "operation", "request."),
            UserInfo = User(f[RequestFields.UserInfo]),
            Object = Obj(f[RequestFields.Object], "object", "request."),
            OldObject = Obj(f[RequestFields.OldObject], "oldObject", "request."),
            DryRun = Bool(f[RequestFields.DryRun], "dryRun", "request."),
            Options = Obj(f[RequestFields.Options], "options", "request."),
        };
    }

    private static ReviewUserInfo? User(Found value)
    {
        if (Obj(value, "userInfo", "request.") is not { } u) return null;
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

    private static GroupVersionKind? Gvk(Found value, string name)
    {
        if (Obj(value, name, "request.") is not { } k) return null;
        var path = name == "kind" ? "request.kind." : "request.requestKind.";
        return new GroupVersionKind { Group = Str(k, "group", path), Version = Str(k, "version", path), Kind = Str(k, "kind", path) };
    }

    private static GroupVersionResource? Gvr(Found value, string name)
    {
        if (Obj(value, name, "request.") is not { } k) return null;
        var path = name == "resource" ? "request.resource." : "request.requestResource.";
        return new GroupVersionResource { Group = Str(k, "group", path), Version = Str(k, "version", path), Resource = Str(k, "resource", path) };
    }

    /// <summary>The field's value when present and not null; of another JSON type, an error naming it.</summary>
    private static JsonElement? Field(JsonElement obj, string name, string path, JsonValueKind expected) =>
        Checked(obj.TryGetProperty(name, out var v) ? v : default, name, path, expected);

    /// <summary>The same for a value already looked up: <c>default</c> (<see cref="JsonValueKind.Undefined"/>) when absent.</summary>
    private static JsonElement? Checked(JsonElement v, string name, string path, JsonValueKind expected)
    {
        if (v.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return null;
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

    private static JsonElement? Obj(Found value, string name, string path) => Checked(value.Value, name, path, JsonValueKind.Object);

    private static string? Str(JsonElement obj, string name, string path) =>
        Field(obj, name, path, JsonValueKind.String) is { } v ? Text(v, path, name, recurring: true) : null;

    private static string? Str(Found value, string name, string path, bool recurring = true) =>
        Checked(value.Value, name, path, JsonValueKind.String) is { } v ? Text(v, path, name, recurring) : null;

    private static bool Bool(Found value, string name, string path)
    {
        var v = value.Value;
        if (v.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return false;
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

    /// <summary>A field's value as found in its object; <c>default</c> (<see cref="JsonValueKind.Undefined"/>) when absent.</summary>
    private readonly record struct Found(JsonElement Value);

    /// <summary>
    /// The request's fields, found in one pass over its properties: TryGetProperty for each of the
    /// fifteen would scan them again each time. The parse refuses a repeated name; in a document
    /// that was not so parsed, the last one counts, as it does for TryGetProperty.
    /// </summary>
    private struct RequestFields
    {
        public const int Uid = 0, Kind = 1, Resource = 2, SubResource = 3, RequestKind = 4, RequestResource = 5, RequestSubResource = 6,
            Name = 7, Namespace = 8, Operation = 9, UserInfo = 10, Object = 11, OldObject = 12, DryRun = 13, Options = 14;

        /// <summary>The names, by the indexes above.</summary>
        private static readonly byte[][] Names =
        [
            "uid"u8.ToArray(), "kind"u8.ToArray(), "resource"u8.ToArray(), "subResource"u8.ToArray(), "requestKind"u8.ToArray(),
            "requestResource"u8.ToArray(), "requestSubResource"u8.ToArray(), "name"u8.ToArray(), "namespace"u8.ToArray(),
            "operation"u8.ToArray(), "userInfo"u8.ToArray(), "object"u8.ToArray(), "oldObject"u8.ToArray(), "dryRun"u8.ToArray(), "options"u8.ToArray(),
        ];

        private Values _values;

        public readonly Found this[int field] => new(_values[field]);

        public static RequestFields Of(JsonElement request)
        {
            var fields = default(RequestFields);
            foreach (var property in request.EnumerateObject())
            {
                var raw = JsonMarshal.GetRawUtf8PropertyName(property);
                // A name written with an escape is compared unescaped, as TryGetProperty compares it.
                var escaped = raw.Contains((byte)'\\');
                for (var i = 0; i < Names.Length; i++)
                {
                    if (escaped ? property.NameEquals(Names[i]) : raw.SequenceEqual(Names[i]))
                    {
                        fields._values[i] = property.Value;
                        break;
                    }
                }
            }
            return fields;
        }

        [InlineArray(15)]
        private struct Values
        {
            private JsonElement _first;
        }
    }
}
