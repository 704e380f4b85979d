using System.Text.Json;
using System.Text.Json.Nodes;
using Admission.Policies;
using Admission.Policies.Manifests;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Admission.Plugin.Text;

/// <summary>
/// Reads a manifest file (YAML, multi-document, or JSON) into JSON objects with the engine's YAML
/// reading (<see cref="YamlJson"/>), so the plugin and the webhook read YAML alike. <c>List</c>
/// kinds are expanded.
/// </summary>
public static class YamlReader
{
    public static List<JsonElement> ReadObjects(string text, string source)
    {
        var nodes = new List<JsonNode?>();
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.Length > 0 && trimmed[0] is '{' or '[')
        {
            try
            {
                var node = JsonNode.Parse(text);
                if (node is JsonArray array) nodes.AddRange(array.Select(n => n?.DeepClone()));
                else nodes.Add(node);
            }
            catch (JsonException e)
            {
                throw new FormatException($"{source}: not valid JSON: {e.Message}", e);
            }
        }
        else
        {
            var errors = new List<InputError>();
            if (Yaml.Load(text, source, errors) is { } stream)
            {
                foreach (var doc in stream.Documents)
                {
                    if (doc.RootNode is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" }) continue;
                    nodes.Add(YamlJson.Convert(doc.RootNode, source, errors));
                }
            }
            if (errors.Count > 0)
            {
                throw new FormatException(string.Join(Environment.NewLine, errors));
            }
        }
        var result = new List<JsonElement>();
        foreach (var node in nodes)
        {
            Expand(node, result);
        }
        return result;
    }

    private static void Expand(JsonNode? node, List<JsonElement> result)
    {
        if (node is not JsonObject obj) return;
        if (obj["kind"] is JsonValue k && k.TryGetValue<string>(out var kind) && kind.EndsWith("List", StringComparison.Ordinal) && obj["items"] is JsonArray items)
        {
            foreach (var item in items) Expand(item?.DeepClone(), result);
            return;
        }
        result.Add(JsonSerializer.SerializeToElement(obj, PluginJson.Default.JsonNode));
    }
}
