using System.Text;
using System.Text.Json;

namespace Admission.Fuzz.Harness;

/// <summary>
/// The invariant checked on every fuzzed review: the answer is 200 with a decision or a 4xx with a
/// message, never 5xx; a 200 echoes the request's uid; and <c>allowed: true</c> only for a review
/// that decodes cleanly (contract 2.1 and 7). "Cleanly" is decided here on its own, not by the
/// webhook's reader, so a reader that forgets a check is caught rather than agreed with.
/// </summary>
public static class ReviewOracle
{
    /// <summary>Null when the answer is acceptable for this input; otherwise what is wrong.</summary>
    public static string? Violation(byte[] input, int status, byte[] body, bool strict)
    {
        if (status >= 500) return $"answered {status}: {Text(body)}";
        if (status is not (200 or (>= 400 and < 500))) return $"answered {status}, neither 200 nor 4xx";
        if (status != 200)
        {
            return body.Length == 0 ? $"answered {status} without a message" : null;
        }

        JsonElement response;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (!doc.RootElement.TryGetProperty("response", out var r) || r.ValueKind != JsonValueKind.Object)
                return "a 200 answer without a response object: " + Text(body);
            response = r.Clone();
        }
        catch (JsonException e)
        {
            return "a 200 answer that is not JSON: " + e.Message;
        }
        if (!response.TryGetProperty("allowed", out var allowed) || allowed.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            return "a 200 answer without allowed: true/false";
        if (allowed.ValueKind == JsonValueKind.False &&
            (!response.TryGetProperty("status", out var st) || !st.TryGetProperty("message", out var m) || string.IsNullOrWhiteSpace(m.GetString())))
            return "a denial without a status message";

        var problem = DecodeProblem(input, strict, out var uid);
        if (uid is not null && (!response.TryGetProperty("uid", out var echoed) || echoed.GetString() != uid))
            return $"the answer does not echo the request uid \"{uid}\"";
        if (allowed.ValueKind == JsonValueKind.True && problem is not null)
            return "allowed a review that does not decode cleanly: " + problem;
        return null;
    }

    /// <summary>
    /// Why this body is not a clean AdmissionReview v1, or null. <paramref name="strict"/> adds the
    /// checks of contract 2.1 beyond the envelope: JSON types, repeated keys, a username, and
    /// namespace/name agreeing with the object's metadata.
    /// </summary>
    public static string? DecodeProblem(byte[] input, bool strict, out string? uid)
    {
        uid = null;
        if (!IsUtf8(input)) return "not UTF-8";
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(input);
        }
        catch (JsonException e)
        {
            return "not JSON: " + e.Message;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return "not an object";
            if (Str(root, "apiVersion") != "admission.k8s.io/v1") return "apiVersion is not admission.k8s.io/v1";
            if (Str(root, "kind") != "AdmissionReview") return "kind is not AdmissionReview";
            if (!root.TryGetProperty("request", out var request) || request.ValueKind != JsonValueKind.Object) return "no request object";
            if (Str(request, "uid") is not { Length: > 0 } u) return "no request.uid";
            uid = u;
            if (!strict) return null;

            if (RepeatedKey(root, "") is { } repeated) return "repeats the key " + repeated;
            foreach (var name in new[] { "name", "namespace", "operation", "subResource", "requestSubResource" })
            {
                if (request.TryGetProperty(name, out var v) && v.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                    return $"request.{name} is a JSON {v.ValueKind}, not a string";
            }
            foreach (var name in new[] { "kind", "resource", "requestKind", "requestResource", "userInfo" })
            {
                if (request.TryGetProperty(name, out var v) && v.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
                    return $"request.{name} is a JSON {v.ValueKind}, not an object";
                if (v.ValueKind == JsonValueKind.Object)
                {
                    foreach (var field in v.EnumerateObject())
                    {
                        // The fields AdmissionReview v1 defines there; an unknown one has no type to be wrong
                        // (kube-apiserver never sends one, and decoders ignore it, as the webhook does).
                        if (field.Name is not ("username" or "uid" or "group" or "version" or "kind" or "resource")) continue;
                        if (field.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                            return $"request.{name}.{field.Name} is a JSON {field.Value.ValueKind}, not a string";
                    }
                }
            }
            if (request.TryGetProperty("dryRun", out var dry) && dry.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
                return "request.dryRun is not a boolean";
            if (!request.TryGetProperty("userInfo", out var user) || user.ValueKind != JsonValueKind.Object || Str(user, "username") is not { Length: > 0 })
                return "no request.userInfo.username";
            if (user.TryGetProperty("groups", out var groups) && groups.ValueKind != JsonValueKind.Null)
            {
                if (groups.ValueKind != JsonValueKind.Array) return "request.userInfo.groups is not a list";
                foreach (var g in groups.EnumerateArray())
                    if (g.ValueKind != JsonValueKind.String) return "request.userInfo.groups holds a non-string";
            }
            var ns = Str(request, "namespace") ?? "";
            var name2 = Str(request, "name") ?? "";
            foreach (var which in new[] { "object", "oldObject" })
            {
                if (!request.TryGetProperty(which, out var obj) || obj.ValueKind == JsonValueKind.Null) continue;
                if (obj.ValueKind != JsonValueKind.Object) return $"request.{which} is not an object";
                if (!obj.TryGetProperty("metadata", out var meta) || meta.ValueKind == JsonValueKind.Null) continue;
                if (meta.ValueKind != JsonValueKind.Object) return $"request.{which}.metadata is not an object";
                if (meta.TryGetProperty("name", out var mn) && mn.ValueKind == JsonValueKind.String && name2.Length > 0 && mn.GetString()!.Length > 0 && mn.GetString() != name2)
                    return $"request.name \"{name2}\" differs from {which}.metadata.name";
                if (meta.TryGetProperty("namespace", out var mns) && mns.ValueKind == JsonValueKind.String && mns.GetString()!.Length > 0 && mns.GetString() != ns)
                    return $"request.namespace \"{ns}\" differs from {which}.metadata.namespace";
            }
            return null;
        }
    }

    private static string? RepeatedKey(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in element.EnumerateObject())
                {
                    if (!seen.Add(p.Name)) return path + "." + p.Name;
                    if (RepeatedKey(p.Value, path + "." + p.Name) is { } inner) return inner;
                }
                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (RepeatedKey(item, $"{path}[{i++}]") is { } inner) return inner;
                }
                return null;
            default:
                return null;
        }
    }

    private static bool IsUtf8(byte[] bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    private static string? Str(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Text(byte[] body) => Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 300));
}
