using System.Globalization;
using System.Text.Json.Nodes;
using Admission.Policies;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Admission.Policies.Manifests;

/// <summary>
/// YAML to JSON with the YAML 1.2 core schema Kubernetes uses: quoted scalars stay strings, plain
/// ones become null, booleans and numbers where they look like them.
/// </summary>
public static class YamlJson
{
    /// <param name="lines">When given, receives the line of every value by path (<c>spec.images[1]</c>).</param>
    public static JsonNode? Convert(YamlNode node, string source, List<InputError> errors, string path = "", Dictionary<string, int>? lines = null)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (k, v) in map.Children)
                {
                    if (k is not YamlScalarNode { Value: { } key })
                    {
                        errors.Add(new InputError(source, (int)k.Start.Line, path, "mapping keys must be strings"));
                        continue;
                    }
                    if (obj.ContainsKey(key))
                    {
                        errors.Add(new InputError(source, (int)k.Start.Line, Join(path, key), "duplicate key"));
                        continue;
                    }
                    // A field's line is its key's: where a reader looks for it, and where a missing child belongs.
                    lines?.TryAdd(Join(path, key), (int)k.Start.Line);
                    obj[key] = Convert(v, source, errors, Join(path, key), lines);
                }
                return obj;
            case YamlSequenceNode seq:
                var arr = new JsonArray();
                var i = 0;
                foreach (var item in seq.Children)
                {
                    lines?.TryAdd($"{path}[{i}]", (int)item.Start.Line);
                    arr.Add(Convert(item, source, errors, $"{path}[{i++}]", lines));
                }
                return arr;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                errors.Add(new InputError(source, (int)node.Start.Line, path, "unsupported YAML node"));
                return null;
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE": return JsonValue.Create(true);
            case "false" or "False" or "FALSE": return JsonValue.Create(false);
        }
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }
        if (text.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex))
        {
            return JsonValue.Create(hex);
        }
        if ((char.IsAsciiDigit(text[0]) || text[0] is '-' or '+' or '.') &&
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            return JsonValue.Create(d);
        }
        return JsonValue.Create(text);
    }
}
