using System.Buffers;
using System.Globalization;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Admission.Policies.Manifests;

/// <summary>
/// The quick way to read a large, well-formed YAML file of manifests (local mode's 10,000
/// ChangeApprovals): YAML parser events written straight into JSON bytes, one parse of those per
/// object, with none of the YAML node tree or JSON node tree <see cref="ManifestParser"/> builds
/// to report problems well. It declines anything out of the ordinary (a YAML error, an anchor,
/// alias or tag, a duplicate key, a List kind, a manifest without apiVersion, kind or name): the
/// caller then reads the text with <see cref="ManifestParser"/>, which says what is wrong and
/// where. When it accepts, its manifests are the ones <see cref="ManifestParser"/> gives.
/// </summary>
public static class FastManifestParser
{
    /// <returns>False when the text must be read with <see cref="ManifestParser.Read"/> instead.</returns>
    public static bool TryRead(string text, string source, string defaultNamespace, IReadOnlySet<string>? onlyKinds, out List<Manifest> result)
    {
        result = [];
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.Length > 0 && trimmed[0] is '{' or '[') return false; // JSON: ManifestParser reads it directly
        // Most files are plain block YAML: read without YamlDotNet when they are; its events otherwise.
        if (BlockYamlReader.TryRead(text, source, defaultNamespace, onlyKinds, result)) return true;
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
            while (parser.TryConsume<DocumentStart>(out _))
            {
                if (parser.Current is Scalar { Style: ScalarStyle.Plain, Value: "" or "~" or "null" } empty && NoProperties(empty))
                {
                    parser.MoveNext(); // an empty document, e.g. after a trailing "---"
                }
                else
                {
                    if (parser.Current is not MappingStart root) return false;
                    var line = (int)root.Start.Line;
                    buffer.ResetWrittenCount();
                    json.Reset(buffer);
                    if (!WriteNode(parser, json, depth: 0)) return false;
                    json.Flush();
                    if (!Add(buffer.WrittenMemory, source, line, defaultNamespace, onlyKinds, result)) return false;
                }
                if (!parser.TryConsume<DocumentEnd>(out _)) return false;
            }
            return parser.TryConsume<StreamEnd>(out _);
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException or JsonException)
        {
            return false;
        }
    }

    private static bool NoProperties(NodeEvent e) => e.Anchor.IsEmpty && e.Tag.IsEmpty;

    /// <summary>Deep enough for any manifest; deeper is left to the careful reader.</summary>
    private const int MaxDepth = 64;

    private static bool WriteNode(IParser parser, Utf8JsonWriter json, int depth)
    {
        if (depth > MaxDepth || parser.Current is not NodeEvent node || !NoProperties(node)) return false;
        switch (node)
        {
            case Scalar scalar:
                WriteScalar(json, scalar);
                parser.MoveNext();
                return true;
            case SequenceStart:
                parser.MoveNext();
                json.WriteStartArray();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    if (!WriteNode(parser, json, depth + 1)) return false;
                }
                json.WriteEndArray();
                return true;
            case MappingStart:
                parser.MoveNext();
                json.WriteStartObject();
                List<string>? keys = null;
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    // Keys must be plain strings seen once; anything else gets ManifestParser's error.
                    if (parser.Current is not Scalar key || !NoProperties(key)) return false;
                    keys ??= new List<string>(8);
                    if (keys.Contains(key.Value)) return false;
                    keys.Add(key.Value);
                    json.WritePropertyName(key.Value);
                    parser.MoveNext();
                    if (!WriteNode(parser, json, depth + 1)) return false;
                }
                json.WriteEndObject();
                return true;
            default:
                return false; // an alias
        }
    }

    /// <summary>A scalar event of YamlDotNet's, by the core schema.</summary>
    private static void WriteScalar(Utf8JsonWriter json, Scalar scalar) => WriteScalar(json, scalar.Value, scalar.Style == ScalarStyle.Plain);

    /// <summary>The YAML 1.2 core schema, as <see cref="YamlJson"/> applies it.</summary>
    internal static void WriteScalar(Utf8JsonWriter json, ReadOnlySpan<char> text, bool plain)
    {
        if (!plain)
        {
            json.WriteStringValue(text);
            return;
        }
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL": json.WriteNullValue(); return;
            case "true" or "True" or "TRUE": json.WriteBooleanValue(true); return;
            case "false" or "False" or "FALSE": json.WriteBooleanValue(false); return;
        }
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            json.WriteNumberValue(l);
            return;
        }
        if (text.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex))
        {
            json.WriteNumberValue(hex);
            return;
        }
        if ((char.IsAsciiDigit(text[0]) || text[0] is '-' or '+' or '.') &&
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            json.WriteNumberValue(d);
            return;
        }
        json.WriteStringValue(text);
    }

    internal static bool Add(ReadOnlyMemory<byte> bytes, string source, int line, string defaultNamespace, IReadOnlySet<string>? onlyKinds, List<Manifest> result)
    {
        using var document = JsonDocument.Parse(bytes);
        var obj = document.RootElement;
        var apiVersion = String(obj, "apiVersion");
        var kind = String(obj, "kind");
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind)) return false;
        if (kind.EndsWith("List", StringComparison.Ordinal) && obj.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array) return false;
        if (onlyKinds is not null && !onlyKinds.Contains(kind)) return true;
        JsonElement meta = default;
        if (obj.TryGetProperty("metadata", out var m))
        {
            if (m.ValueKind == JsonValueKind.Null) m = default;
            else if (m.ValueKind != JsonValueKind.Object) return false;
            meta = m;
        }
        var name = String(meta, "name") is { } n ? n : String(meta, "generateName") ?? "";
        if (name.Length == 0) return false;
        var ns = String(meta, "namespace") is { Length: > 0 } nsText ? nsText : defaultNamespace;
        result.Add(new Manifest(source, line, obj.Clone(), apiVersion, kind, kind == "Namespace" ? "" : ns, name));
        return true;
    }

    private static string? String(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
