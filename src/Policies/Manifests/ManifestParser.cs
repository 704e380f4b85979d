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
            errors.Add(new InputError(source, (int)(e.LineNumber ?? 0) + 1, "", JsonSyntax(e)));
            return;
        }
        var lines = JsonLines.Map(text);
        if (node is JsonArray array)
        {
            var i = 0;
            foreach (var item in array)
            {
                var prefix = $"[{i++}]";
                Add(item, source, lines.GetValueOrDefault(prefix, 1), defaultNamespace, errors, result, onlyKinds, lines, prefix + ".");
            }
        }
        else
        {
            Add(node, source, 1, defaultNamespace, errors, result, onlyKinds, lines, "");
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
            var lines = new Dictionary<string, int>(StringComparer.Ordinal);
            var json = YamlJson.Convert(node, source, errors, lines: lines);
            Add(json, source, (int)node.Start.Line, defaultNamespace, errors, result, onlyKinds, lines, "");
        }
    }

    private static void Add(JsonNode? node, string source, int line, string defaultNamespace, List<InputError> errors, List<Manifest> result, IReadOnlySet<string>? onlyKinds,
        Dictionary<string, int> lines, string prefix)
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
            for (var i = 0; i < items.Count; i++)
            {
                var itemPrefix = $"{prefix}items[{i}]";
                Add(items[i]?.DeepClone(), source, lines.GetValueOrDefault(itemPrefix, line), defaultNamespace, errors, result, onlyKinds, lines, itemPrefix + ".");
            }
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
        result.Add(new Manifest(source, line, element, apiVersion, kind, kind == "Namespace" ? "" : ns, name) { FieldLines = lines, PathPrefix = prefix });
    }

    /// <summary>
    /// The parser's words without its positions (0-based, and given again in the reader's own
    /// form): the error's line is already in front, the column is said once, 1-based.
    /// </summary>
    private static string JsonSyntax(JsonException e)
    {
        var message = e.Message;
        foreach (var cut in new[] { " Path:", " LineNumber:", " Change the reader options." })
        {
            var i = message.IndexOf(cut, StringComparison.Ordinal);
            if (i > 0) message = message[..i];
        }
        var column = e.BytePositionInLine is { } c ? $" at column {c + 1}" : "";
        return $"not valid JSON{column}: {message.Trim()}";
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
