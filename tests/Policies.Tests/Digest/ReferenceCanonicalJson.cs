using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Admission.Policies.Digest;

namespace Admission.Policies.Tests.Digest;

/// <summary>
/// The RFC 8785 writer as it was before the per-thread CanonicalWriter (commit d896364), kept
/// as the oracle the faster writer is compared with (CanonicalWriterEquivalence). Changed once
/// since, with the writer: a name twice is refused even when one of the two members is pruned.
/// RFC 8785 (JSON Canonicalization Scheme) serialization of a parsed JSON value: members sorted
/// by the UTF-16 code units of their names, no white space, strings with only the escapes the
/// RFC requires, numbers as ECMAScript writes them. One deliberate exception (contract, "change
/// digest"): a number written without fraction or exponent keeps exactly its digits, because
/// rounding integers beyond 2^53 to a double would let two different values share a digest.
/// </summary>
internal static class ReferenceCanonicalJson
{
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
    public static void Write(JsonElement value, CanonicalJson.IPruning? pruning, IBufferWriter<byte> output)
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
    public static bool PrunedAway(JsonElement obj, CanonicalJson.IPruning? pruning)
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
    /// A member to write: its property, where its unescaped name sits in the object's name buffer,
    /// whether that name is ASCII (decided once, not at every comparison of the sort), and the
    /// pruning inside it.
    /// </summary>
    private readonly record struct Member(JsonProperty Property, int NameStart, int NameLength, bool Ascii, CanonicalJson.IPruning? Inner, bool Pruned);

    /// <summary>
    /// Orders members by name (RFC 8785 3.2.3). Insertion sort: objects in manifests have a
    /// handful of members, and it needs no comparer object (a struct comparer would be boxed per
    /// call); large objects go to the library sort, whose comparison reads the names again.
    /// </summary>
    private static void Sort(Span<Member> members, byte[] names)
    {
        if (members.Length > 32)
        {
            members.Sort(static (a, b) => Compare(a, b, t_names!));
            return;
        }
        for (var i = 1; i < members.Length; i++)
        {
            var m = members[i];
            var j = i - 1;
            while (j >= 0 && Compare(members[j], m, names) > 0)
            {
                members[j + 1] = members[j];
                j--;
            }
            members[j + 1] = m;
        }
    }

    private static int Compare(in Member a, in Member b, byte[] names)
    {
        var x = names.AsSpan(a.NameStart, a.NameLength);
        var y = names.AsSpan(b.NameStart, b.NameLength);
        return a.Ascii && b.Ascii ? x.SequenceCompareTo(y) : CompareNames(x, y);
    }

    /// <summary>
    /// The unescaped names of the objects being written on this thread, a stack: each object
    /// puts its names on top and takes them off when done. A member's name is read at every
    /// comparison of the sort, and the parsed document's name lookup is not free; one buffer for
    /// the whole nesting, so deep objects do not each rent one.
    /// </summary>
    [ThreadStatic]
    private static byte[]? t_names;

    [ThreadStatic]
    private static int t_namesUsed;

    private const int MaxKeptNames = 64 * 1024;

    private static void WriteObject(JsonElement obj, CanonicalJson.IPruning? pruning, IBufferWriter<byte> output)
    {
        var members = ArrayPool<Member>.Shared.Rent(Math.Max(obj.GetPropertyCount(), 1));
        var bottom = t_namesUsed;
        try
        {
            var n = 0;
            foreach (var prop in obj.EnumerateObject())
            {
                var raw = JsonMarshal.GetRawUtf8PropertyName(prop);
                ReadOnlySpan<byte> name = raw.IndexOf((byte)'\\') < 0 ? raw : StrictUtf8.GetBytes(prop.Name);
                CanonicalJson.IPruning? inner = null;
                var pruned = false;
                if (pruning is not null)
                {
                    inner = pruning.Enter(name, out var removed);
                    pruned = removed || PrunedAway(prop.Value, inner);
                }
                var names = t_names ??= new byte[4096];
                if (t_namesUsed + name.Length > names.Length)
                {
                    // The objects below keep their offsets: what is on the stack moves along.
                    var bigger = new byte[Math.Max(names.Length * 2, t_namesUsed + name.Length)];
                    names.AsSpan(0, t_namesUsed).CopyTo(bigger);
                    t_names = names = bigger;
                }
                name.CopyTo(names.AsSpan(t_namesUsed));
                members[n++] = new Member(prop, t_namesUsed, name.Length, System.Text.Ascii.IsValid(name), inner, pruned);
                t_namesUsed += name.Length;
            }
            var sorted = members.AsSpan(0, n);
            Sort(sorted, t_names ?? []);
            Raw(output, "{"u8);
            var wrote = false;
            for (var i = 0; i < sorted.Length; i++)
            {
                // Read again for each member: a nested object may have moved the stack to a bigger buffer.
                var names = t_names!;
                var name = names.AsSpan(sorted[i].NameStart, sorted[i].NameLength);
                if (i > 0 && names.AsSpan(sorted[i - 1].NameStart, sorted[i - 1].NameLength).SequenceEqual(name))
                {
                    // Two values under one name: which one counts is up to the reader, so no digest.
                    throw new FormatException($"the key \"{sorted[i].Property.Name}\" appears twice in one object");
                }
                if (sorted[i].Pruned) continue;
                if (wrote) Raw(output, ","u8);
                wrote = true;
                WriteName(name, output);
                Raw(output, ":"u8);
                Write(sorted[i].Property.Value, sorted[i].Inner, output);
            }
            Raw(output, "}"u8);
        }
        finally
        {
            t_namesUsed = bottom;
            // An unusually large object's names are not kept for the life of the thread.
            if (bottom == 0 && t_names is { Length: > MaxKeptNames }) t_names = null;
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
