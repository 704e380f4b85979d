using System.Buffers;
using System.Runtime.InteropServices;
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
        /// <summary>The pruning that applies inside the member named <paramref name="utf8Name"/> (unescaped UTF-8), or null if it is removed.</summary>
        IPruning? Enter(ReadOnlySpan<byte> utf8Name, out bool removed);
    }

    public static byte[] Serialize(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        Write(value, null, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static string SerializeToString(JsonElement value) => Encoding.UTF8.GetString(Serialize(value));

    /// <summary>Writes <paramref name="value"/> with <paramref name="pruning"/> applied.</summary>
    /// <remarks>
    /// The webhook digests every guarded write, so the common case allocates nothing: names,
    /// strings without escapes and integers are copied from the parsed bytes as they are (they are
    /// already canonical), members are sorted in a pooled array. Only an escape, a non-ASCII name
    /// or a number with a fraction or exponent takes the slower path through strings.
    /// </remarks>
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
                WriteStringValue(value, output);
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
            var name = new Member(prop);
            var inner = pruning.Enter(name.Utf8Name, out var removed);
            if (!removed && !PrunedAway(prop.Value, inner)) return false;
        }
        return any;
    }

    /// <summary>A member to write: its property, its name unescaped when the raw name holds an escape, and the pruning inside it.</summary>
    private readonly struct Member
    {
        public readonly JsonProperty Property;
        public readonly IPruning? Inner;
        private readonly byte[]? _unescaped;

        public Member(JsonProperty property)
            : this(property, JsonMarshal.GetRawUtf8PropertyName(property).IndexOf((byte)'\\') < 0 ? null : StrictUtf8.GetBytes(property.Name), null)
        {
        }

        private Member(JsonProperty property, byte[]? unescaped, IPruning? inner)
        {
            Property = property;
            _unescaped = unescaped;
            Inner = inner;
        }

        public ReadOnlySpan<byte> Utf8Name => _unescaped is null ? JsonMarshal.GetRawUtf8PropertyName(Property) : _unescaped;

        public Member WithInner(IPruning? inner) => new(Property, _unescaped, inner);
    }

    private static void WriteObject(JsonElement obj, IPruning? pruning, IBufferWriter<byte> output)
    {
        var members = ArrayPool<Member>.Shared.Rent(Math.Max(obj.GetPropertyCount(), 1));
        try
        {
            var n = 0;
            foreach (var prop in obj.EnumerateObject())
            {
                var member = new Member(prop);
                if (pruning is not null)
                {
                    var inner = pruning.Enter(member.Utf8Name, out var removed);
                    if (removed || PrunedAway(prop.Value, inner)) continue;
                    member = member.WithInner(inner);
                }
                members[n++] = member;
            }
            var sorted = members.AsSpan(0, n);
            sorted.Sort(static (a, b) => CompareNames(a.Utf8Name, b.Utf8Name));
            Raw(output, "{"u8);
            for (var i = 0; i < sorted.Length; i++)
            {
                if (i > 0)
                {
                    if (sorted[i - 1].Utf8Name.SequenceEqual(sorted[i].Utf8Name))
                    {
                        // Two values under one name: which one counts is up to the reader, so no digest.
                        throw new FormatException($"the key \"{sorted[i].Property.Name}\" appears twice in one object");
                    }
                    Raw(output, ","u8);
                }
                WriteName(sorted[i].Utf8Name, output);
                Raw(output, ":"u8);
                Write(sorted[i].Property.Value, sorted[i].Inner, output);
            }
            Raw(output, "}"u8);
        }
        finally
        {
            ArrayPool<Member>.Shared.Return(members, clearArray: true);
        }
    }

    /// <summary>
    /// RFC 8785 3.2.3 orders names by their UTF-16 code units. For ASCII that is the order of the
    /// UTF-8 bytes; beyond it the two orders can differ (a character above U+FFFF against one in
    /// U+E000 to U+FFFF), so non-ASCII names are compared as strings.
    /// </summary>
    private static int CompareNames(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) =>
        Ascii.IsValid(a) && Ascii.IsValid(b)
            ? a.SequenceCompareTo(b)
            : string.CompareOrdinal(Encoding.UTF8.GetString(a), Encoding.UTF8.GetString(b));

    private static void WriteName(ReadOnlySpan<byte> utf8Name, IBufferWriter<byte> output)
    {
        if (NeedsEscaping(utf8Name))
        {
            WriteString(Encoding.UTF8.GetString(utf8Name), output);
            return;
        }
        Raw(output, "\""u8);
        Raw(output, utf8Name);
        Raw(output, "\""u8);
    }

    private static void WriteStringValue(JsonElement value, IBufferWriter<byte> output)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value); // with its quotes
        var inner = raw[1..^1];
        if (inner.IndexOf((byte)'\\') < 0)
        {
            // No escape: the bytes between the quotes are the string. The parser does not check
            // UTF-8 inside strings, so it is checked here, as reading the string would.
            if (!System.Text.Unicode.Utf8.IsValid(inner)) throw new FormatException("a string is not valid UTF-8, which has no canonical JSON form");
            Raw(output, raw);
            return;
        }
        WriteString(value.GetString()!, output);
    }

    /// <summary>Whether a name needs the string path: an escape in it, or a byte that is not valid UTF-8 or a control character.</summary>
    private static bool NeedsEscaping(ReadOnlySpan<byte> utf8) =>
        utf8.IndexOfAnyInRange((byte)0, (byte)0x1f) >= 0 || utf8.IndexOfAny((byte)'"', (byte)'\\') >= 0 || !System.Text.Unicode.Utf8.IsValid(utf8);

    private static void WriteNumber(JsonElement number, IBufferWriter<byte> output)
    {
        var raw = JsonMarshal.GetRawUtf8Value(number);
        if (raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0)
        {
            // Written as an integer: its digits, exactly. JSON allows no leading zeros, so the
            // one other spelling of a value is "-0", which is the number 0.
            Raw(output, raw.TrimStart((byte)'-').IndexOfAnyExcept((byte)'0') < 0 ? "0"u8 : raw);
            return;
        }
        var value = double.Parse(raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
        if (double.IsInfinity(value))
        {
            throw new FormatException($"the number {Encoding.UTF8.GetString(raw)} is too large for a JSON number (I-JSON, RFC 7493)");
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
