using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Admission.Policies.Digest;

/// <summary>
/// RFC 8785 (JSON Canonicalization Scheme) serialization of a parsed JSON value: members sorted
/// by the UTF-16 code units of their names, no white space, strings with only the escapes the
/// RFC requires, numbers as ECMAScript writes them. One deliberate exception (contract, "change
/// digest"): a number written without fraction or exponent keeps exactly its digits, because
/// rounding integers beyond 2^53 to a double would let two different values share a digest.
/// </summary>
public static class CanonicalJson
{
    /// <summary>Decides, for a member at a path, whether it is left out of the output.</summary>
    public interface IPruning
    {
        /// <summary>The pruning that applies inside member <paramref name="name"/>, or null if it is removed.</summary>
        IPruning? Enter(string name, out bool removed);
    }

    public static byte[] Serialize(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        Write(value, null, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static string SerializeToString(JsonElement value) => Encoding.UTF8.GetString(Serialize(value));

    /// <summary>Writes <paramref name="value"/> with <paramref name="pruning"/> applied.</summary>
    public static void Write(JsonElement value, IPruning? pruning, IBufferWriter<byte> output)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(value, pruning, output);
                break;
            case JsonValueKind.Array:
                Raw(output, "["u8);
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!first) Raw(output, ","u8);
                    first = false;
                    Write(item, null, output);
                }
                Raw(output, "]"u8);
                break;
            case JsonValueKind.String:
                WriteString(value.GetString()!, output);
                break;
            case JsonValueKind.Number:
                WriteNumber(value, output);
                break;
            case JsonValueKind.True:
                Raw(output, "true"u8);
                break;
            case JsonValueKind.False:
                Raw(output, "false"u8);
                break;
            case JsonValueKind.Null:
                Raw(output, "null"u8);
                break;
            default:
                throw new FormatException($"not a JSON value: {value.ValueKind}");
        }
    }

    /// <summary>True when pruning leaves nothing of a non-empty object: the contract removes such maps.</summary>
    public static bool PrunedAway(JsonElement obj, IPruning? pruning)
    {
        if (pruning is null || obj.ValueKind != JsonValueKind.Object) return false;
        var any = false;
        foreach (var prop in obj.EnumerateObject())
        {
            any = true;
            var inner = pruning.Enter(prop.Name, out var removed);
            if (!removed && !PrunedAway(prop.Value, inner)) return false;
        }
        return any;
    }

    private static void WriteObject(JsonElement obj, IPruning? pruning, IBufferWriter<byte> output)
    {
        var members = new List<(string Name, JsonElement Value, IPruning? Inner)>();
        foreach (var prop in obj.EnumerateObject())
        {
            IPruning? inner = null;
            if (pruning is not null)
            {
                inner = pruning.Enter(prop.Name, out var removed);
                if (removed || PrunedAway(prop.Value, inner)) continue;
            }
            members.Add((prop.Name, prop.Value, inner));
        }
        // Ordinal string comparison is comparison by UTF-16 code units, as RFC 8785 3.2.3 asks.
        members.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        Raw(output, "{"u8);
        for (var i = 0; i < members.Count; i++)
        {
            if (i > 0)
            {
                if (members[i - 1].Name == members[i].Name)
                {
                    // Two values under one name: which one counts is up to the reader, so no digest.
                    throw new FormatException($"the key \"{members[i].Name}\" appears twice in one object");
                }
                Raw(output, ","u8);
            }
            WriteString(members[i].Name, output);
            Raw(output, ":"u8);
            Write(members[i].Value, members[i].Inner, output);
        }
        Raw(output, "}"u8);
    }

    private static void WriteNumber(JsonElement number, IBufferWriter<byte> output)
    {
        var raw = number.GetRawText();
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0)
        {
            // Written as an integer: its digits, exactly. JSON allows no leading zeros, so the
            // one other spelling of a value is "-0", which is the number 0.
            Utf8(output, raw.Trim('-').Trim('0').Length == 0 ? "0" : raw);
            return;
        }
        var value = double.Parse(raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
        if (double.IsInfinity(value))
        {
            throw new FormatException($"the number {raw} is too large for a JSON number (I-JSON, RFC 7493)");
        }
        Utf8(output, EcmaNumber.Format(value));
    }

    /// <summary>RFC 8785 3.2.2.2: escape only '"', '\' and control characters, the short forms where JSON has them.</summary>
    private static void WriteString(string s, IBufferWriter<byte> output)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20) sb.Append("\\u00").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
        Utf8(output, sb.ToString());
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static void Utf8(IBufferWriter<byte> output, string text)
    {
        // Strict: a lone surrogate has no UTF-8 form, and I-JSON forbids it.
        var count = StrictUtf8.GetByteCount(text);
        var span = output.GetSpan(count);
        StrictUtf8.GetBytes(text, span);
        output.Advance(count);
    }

    private static void Raw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => output.Write(bytes);
}
