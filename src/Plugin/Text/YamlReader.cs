using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Admission.Plugin.Text;

/// <summary>
/// Reads a manifest file (YAML, multi-document, or JSON) into JSON objects, with the YAML 1.2 core
/// schema Kubernetes uses: quoted scalars stay strings; plain ones become null, booleans and numbers
/// where they look like them. <c>List</c> kinds are expanded.
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
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException e)
            {
                throw new FormatException($"{source}:{e.Start.Line}: not valid YAML: {e.InnerException?.Message ?? e.Message}", e);
            }
            foreach (var doc in stream.Documents)
            {
                if (doc.RootNode is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" }) continue;
                nodes.Add(Convert(doc.RootNode));
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

    public static JsonNode? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (k, v) in map.Children)
                {
                    if (k is YamlScalarNode { Value: { } key }) obj[key] = Convert(v);
                }
                return obj;
            case YamlSequenceNode seq:
                var arr = new JsonArray();
                foreach (var item in seq.Children) arr.Add(Convert(item));
                return arr;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                return null;
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain) return JsonValue.Create(text);
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE": return JsonValue.Create(true);
            case "false" or "False" or "FALSE": return JsonValue.Create(false);
        }
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if ((char.IsAsciiDigit(text[0]) || text[0] is '-' or '+' or '.') &&
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            return JsonValue.Create(d);
        }
        return JsonValue.Create(text);
    }
}
