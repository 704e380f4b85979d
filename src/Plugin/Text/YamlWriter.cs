using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Admission.Plugin.Text;

/// <summary>
/// JSON to YAML the way kubectl prints it (<c>-o yaml</c>): two-space indents, list items at their
/// key's indentation, and strings quoted whenever YAML would read them as something else.
/// </summary>
public static class YamlWriter
{
    public static string Write(JsonElement value)
    {
        var sb = new StringBuilder();
        switch (value.ValueKind)
        {
            case JsonValueKind.Object when HasProperties(value):
                WriteMapping(sb, value, 0);
                break;
            case JsonValueKind.Array when value.GetArrayLength() > 0:
                WriteSequence(sb, value, 0);
                break;
            default:
                sb.Append(Scalar(value)).Append('\n');
                break;
        }
        return sb.ToString();
    }

    private static void WriteMapping(StringBuilder sb, JsonElement obj, int indent, bool firstInline = false)
    {
        var first = true;
        foreach (var prop in obj.EnumerateObject())
        {
            if (!(first && firstInline)) sb.Append(' ', indent);
            first = false;
            sb.Append(Key(prop.Name)).Append(':');
            WriteValueAfterKey(sb, prop.Value, indent);
        }
    }

    private static void WriteValueAfterKey(StringBuilder sb, JsonElement value, int indent)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object when HasProperties(value):
                sb.Append('\n');
                WriteMapping(sb, value, indent + 2);
                break;
            case JsonValueKind.Array when value.GetArrayLength() > 0:
                sb.Append('\n');
                WriteSequence(sb, value, indent);
                break;
            default:
                sb.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static void WriteSequence(StringBuilder sb, JsonElement array, int indent)
    {
        foreach (var item in array.EnumerateArray())
        {
            sb.Append(' ', indent).Append("- ");
            switch (item.ValueKind)
            {
                case JsonValueKind.Object when HasProperties(item):
                    WriteMapping(sb, item, indent + 2, firstInline: true);
                    break;
                case JsonValueKind.Array when item.GetArrayLength() > 0:
                    sb.Append('\n');
                    WriteSequence(sb, item, indent + 2);
                    break;
                default:
                    sb.Append(Scalar(item)).Append('\n');
                    break;
            }
        }
    }

    private static bool HasProperties(JsonElement obj) => obj.EnumerateObject().Any();

    private static string Key(string key) => NeedsQuotes(key) ? Quote(key) : key;

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "{}",
        JsonValueKind.Array => "[]",
        JsonValueKind.String => String(value.GetString()!),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "null",
    };

    private static string String(string s) => NeedsQuotes(s) ? Quote(s) : s;

    private static readonly string[] Reserved =
    [
        "null", "Null", "NULL", "~", "true", "True", "TRUE", "false", "False", "FALSE",
        "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N",
    ];

    /// <summary>Plain only when a YAML reader (1.1 or 1.2) can read nothing but this same string back.</summary>
    internal static bool NeedsQuotes(string s)
    {
        if (s.Length == 0 || Array.IndexOf(Reserved, s) >= 0) return true;
        if (char.IsAsciiDigit(s[0]) || s[0] is '-' or '+' or '.') return true;
        if (s[0] is ' ' or '!' or '&' or '*' or '?' or '|' or '>' or '\'' or '"' or '%' or '@' or '`' or '#' or ',' or '[' or ']' or '{' or '}' or ':') return true;
        if (s[^1] is ' ' or ':') return true;
        if (s.Contains(": ", StringComparison.Ordinal) || s.Contains(" #", StringComparison.Ordinal)) return true;
        foreach (var c in s)
        {
            if (char.IsControl(c) || c > '~') return true;
        }
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    }

    /// <summary>A YAML double-quoted string; JSON's escapes are valid there.</summary>
    private static string Quote(string s) => JsonSerializer.Serialize(s, PluginJson.Output.String);
}
