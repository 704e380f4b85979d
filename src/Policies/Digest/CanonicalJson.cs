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
        var writer = CanonicalWriter.Rent();
        try
        {
            writer.Write(value, null);
            return writer.Written.ToArray();
        }
        finally
        {
            writer.Return();
        }
    }

    public static string SerializeToString(JsonElement value) => Encoding.UTF8.GetString(Serialize(value));

    /// <summary>Writes <paramref name="value"/> with <paramref name="pruning"/> applied.</summary>
    /// <remarks>
    /// The webhook digests every guarded write, so the common case allocates nothing: names,
    /// strings without escapes and integers are copied from the parsed bytes as they are (they are
    /// already canonical), members are sorted in the thread's <see cref="CanonicalWriter"/>. Only
    /// an escape, a non-ASCII name or a number with a fraction or exponent takes the slower path
    /// through strings.
    /// </remarks>
    public static void Write(JsonElement value, IPruning? pruning, IBufferWriter<byte> output)
    {
        var writer = CanonicalWriter.Rent();
        try
        {
            writer.Write(value, pruning);
            output.Write(writer.Written);
        }
        finally
        {
            writer.Return();
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
            var raw = JsonMarshal.GetRawUtf8PropertyName(prop);
            var inner = pruning.Enter(raw.IndexOf((byte)'\\') < 0 ? raw : StrictUtf8.GetBytes(prop.Name), out var removed);
            if (!removed && !PrunedAway(prop.Value, inner)) return false;
        }
        return any;
    }

    /// <summary>
    /// RFC 8785 3.2.3 orders names by their UTF-16 code units. For ASCII that is the order of the
    /// UTF-8 bytes; beyond it the two orders can differ (a character above U+FFFF against one in
    /// U+E000 to U+FFFF), so non-ASCII names are compared as strings.
    /// </summary>
    internal static int CompareNames(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) =>
        Ascii.IsValid(a) && Ascii.IsValid(b)
            ? a.SequenceCompareTo(b)
            : string.CompareOrdinal(Encoding.UTF8.GetString(a), Encoding.UTF8.GetString(b));

    /// <summary>Whether a name needs the string path: an escape in it, or a byte that is not valid UTF-8 or a control character.</summary>
    internal static bool NeedsEscaping(ReadOnlySpan<byte> utf8) =>
        NeedsEscapingAscii(utf8) || !System.Text.Unicode.Utf8.IsValid(utf8);

    /// <summary><see cref="NeedsEscaping"/> for a name already known to be ASCII, so valid UTF-8.</summary>
    internal static bool NeedsEscapingAscii(ReadOnlySpan<byte> utf8) =>
        utf8.IndexOfAnyInRange((byte)0, (byte)0x1f) >= 0 || utf8.IndexOfAny((byte)'"', (byte)'\\') >= 0;

    /// <summary>RFC 8785 3.2.2.2: escape only '"', '\' and control characters, the short forms where JSON has them.</summary>
    internal static string Escaped(string s)
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
        return sb.ToString();
    }

    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
