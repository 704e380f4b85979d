using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Admission.Tests.Shared;

/// <summary>
/// Converts YAML to JSON the way Kubernetes reads manifests (sigs.k8s.io/yaml, YAML 1.1 rules for
/// plain scalars): a plain `true`, `yes`, `on` is a boolean, a plain `8443` an integer, `~` or
/// nothing is null, and anything quoted stays a string. So a label value written as a bare `1`
/// is a number here, and fails to read into a string field, as it would on a real cluster.
/// Duplicate keys are an error. Timestamps stay strings, as in Kubernetes. The chart tests and the
/// CRD tests read YAML through this one reader.
/// </summary>
internal static partial class YamlToJson
{
    private const string StrTag = "tag:yaml.org,2002:str";

    /// <summary>Every document of a (multi-document) YAML file.</summary>
    public static IReadOnlyList<JsonNode?> LoadAll(string path)
    {
        using var reader = new StreamReader(path);
        var stream = new YamlStream();
        stream.Load(reader);
        return [.. stream.Documents.Select(d => Convert(d.RootNode))];
    }

    /// <summary>The one document of a YAML file; fails when the file holds more or fewer.</summary>
    public static JsonObject LoadSingle(string path)
    {
        var documents = LoadAll(path);
        if (documents.Count != 1 || documents[0] is not JsonObject single)
        {
            throw new InvalidDataException($"{path}: expected exactly one YAML document holding a mapping, found {documents.Count}.");
        }

        return single;
    }

    /// <summary>Parses one YAML document (it must hold exactly one) into a JSON node.</summary>
    public static JsonNode? ParseSingle(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var documents = stream.Documents.Where(d => !IsEmpty(d.RootNode)).ToList();
        return documents.Count switch
        {
            0 => null,
            1 => Convert(documents[0].RootNode),
            _ => throw new InvalidOperationException($"Expected one YAML document, found {documents.Count}"),
        };
    }

    public static JsonNode? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name })
                    {
                        throw new InvalidOperationException($"Non-scalar mapping key at {key.Start}");
                    }

                    if (obj.ContainsKey(name))
                    {
                        throw new InvalidOperationException($"Duplicate key '{name}' at {key.Start}");
                    }

                    obj[name] = Convert(value);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(Convert(item));
                }

                return array;
            case YamlScalarNode scalar:
                return ConvertScalar(scalar);
            default:
                throw new InvalidOperationException($"Unsupported YAML node {node.GetType().Name} at {node.Start}");
        }
    }

    private static bool IsEmpty(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s && string.IsNullOrEmpty(s.Value) && s.Tag.IsEmpty;

    private static JsonValue? ConvertScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any) || (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific && scalar.Tag.Value == StrTag))
        {
            return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "y" or "Y":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "n" or "N":
                return JsonValue.Create(false);
        }

        var digits = text.Replace("_", "", StringComparison.Ordinal);
        if (DecimalInt().IsMatch(digits))
        {
            return JsonValue.Create(long.Parse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        }

        if (OctalInt().IsMatch(digits))
        {
            var negative = digits.StartsWith('-');
            var value = System.Convert.ToInt64(digits.TrimStart('-', '+')[1..], 8);
            return JsonValue.Create(negative ? -value : value);
        }

        if (HexInt().IsMatch(digits))
        {
            return JsonValue.Create(long.Parse(digits[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        }

        if (Float().IsMatch(digits))
        {
            return JsonValue.Create(double.Parse(digits, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        return JsonValue.Create(text);
    }

    [GeneratedRegex("^[-+]?(0|[1-9][0-9]*)$")]
    private static partial Regex DecimalInt();

    [GeneratedRegex("^[-+]?0[0-7]+$")]
    private static partial Regex OctalInt();

    [GeneratedRegex("^0x[0-9a-fA-F]+$")]
    private static partial Regex HexInt();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
