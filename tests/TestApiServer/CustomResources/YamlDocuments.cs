using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Admission.TestApiServer.CustomResources;

/// <summary>
/// YAML read as kube-apiserver reads it once kubectl has sent it as JSON: plain scalars typed by
/// the YAML 1.2 core schema (null, booleans, integers, floats), everything quoted a string.
/// </summary>
internal static class YamlDocuments
{
    public static IReadOnlyList<JsonNode?> Load(string path)
    {
        using var reader = new StreamReader(path);
        var stream = new YamlStream();
        try
        {
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{path}:{e.Start.Line}: {e.Message}", e);
        }

        return [.. stream.Documents.Select(d => Convert(d.RootNode))];
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? "", Convert(c.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(Convert)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidDataException($"unsupported YAML node at line {node.Start.Line}"),
    };

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && text.Any(char.IsDigit) => JsonValue.Create(d),
            _ => JsonValue.Create(text),
        };
    }
}
