using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Admission.Policies.Manifests;

/// <summary>
/// Parses YAML or JSON manifest text: multi-document, <c>List</c> kinds expanded, each object
/// with the line it starts on. Text in, objects and located errors out; no files.
/// </summary>
public static class ManifestParser
{
    /// <param name="onlyKinds">When set, other objects are skipped unchecked: approvals may share a folder with anything.</param>
    public static List<Manifest> Read(string text, string source, string defaultNamespace, List<InputError> errors, IReadOnlySet<string>? onlyKinds = null)
    {
        var result = new List<Manifest>();
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.Length > 0 && trimmed[0] is '{' or '[')
        {
            ReadJson(text, source, defaultNamespace, errors, result, onlyKinds);
        }
        else
        {
            ReadYaml(text, source, defaultNamespace, errors, result, onlyKinds);
        }
        return result;
    }

    private static void ReadJson(string text, string source, string defaultNamespace, List<InputError> errors, List<Manifest> result, IReadOnlySet<string>? onlyKinds)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            errors.Add(new InputError(source, (int)(e.LineNumber ?? 0) + 1, "", "not valid JSON: " + FirstSentence(e.Message)));
            return;
        }
        if (node is JsonArray array)
        {
            foreach (var item in array) Add(item, source, 1, defaultNamespace, errors, result, onlyKinds);
        }
        else
        {
            Add(node, source, 1, defaultNamespace, errors, result, onlyKinds);
        }
    }

    private static void ReadYaml(string text, string source, string defaultNamespace, List<InputError> errors, List<Manifest> result, IReadOnlySet<string>? onlyKinds)
    {
        if (Yaml.Load(text, source, errors) is not { } stream)
        {
            return;
        }
        foreach (var doc in stream.Documents)
        {
            var node = doc.RootNode;
            if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" })
            {
                continue; // an empty document, e.g. after a trailing "---"
            }
            var json = YamlJson.Convert(node, source, errors);
            Add(json, source, (int)node.Start.Line, defaultNamespace, errors, result, onlyKinds);
        }
    }

    private static void Add(JsonNode? node, string source, int line, string defaultNamespace, List<InputError> errors, List<Manifest> result, IReadOnlySet<string>? onlyKinds)
    {
        if (node is not JsonObject obj)
        {
            errors.Add(new InputError(source, line, "", "a manifest must be an object with apiVersion and kind"));
            return;
        }
        var apiVersion = obj["apiVersion"] is JsonValue av && av.TryGetValue<string>(out var a) ? a : null;
        var kind = obj["kind"] is JsonValue kv && kv.TryGetValue<string>(out var k) ? k : null;
        if (string.IsNullOrEmpty(apiVersion)) errors.Add(new InputError(source, line, "apiVersion", "is required"));
        if (string.IsNullOrEmpty(kind)) errors.Add(new InputError(source, line, "kind", "is required"));
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind)) return;

        if (kind.EndsWith("List", StringComparison.Ordinal) && obj["items"] is JsonArray items)
        {
            foreach (var item in items) Add(item?.DeepClone(), source, line, defaultNamespace, errors, result, onlyKinds);
            return;
        }
        if (onlyKinds is not null && !onlyKinds.Contains(kind))
        {
            return;
        }
        var meta = obj["metadata"] as JsonObject;
        if (obj["metadata"] is not null && meta is null)
        {
            errors.Add(new InputError(source, line, "metadata", "must be an object"));
            return;
        }
        var name = meta?["name"] is JsonValue nv && nv.TryGetValue<string>(out var n) ? n
            : meta?["generateName"] is JsonValue gv && gv.TryGetValue<string>(out var g) ? g : "";
        if (name.Length == 0)
        {
            errors.Add(new InputError(source, line, "metadata.name", $"is required ({kind})"));
            return;
        }
        var ns = meta?["namespace"] is JsonValue nsv && nsv.TryGetValue<string>(out var nsText) && nsText.Length > 0 ? nsText : defaultNamespace;
        var element = ToElement(obj);
        result.Add(new Manifest(source, line, element, apiVersion, kind, kind == "Namespace" ? "" : ns, name));
    }

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(" Path:", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }

    /// <summary>Writes the node once and reads it back as an element: no serializer, no reflection.</summary>
    private static JsonElement ToElement(JsonNode node)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            node.WriteTo(writer);
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
