using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Admission.Policies.Digest;

/// <summary>
/// The state of one RFC 8785 serialization (<see cref="CanonicalJson"/>): the output bytes, the
/// unescaped names of the objects being written and their members, each a stack that nested
/// objects push onto and pop. One per thread, reused: the webhook digests every guarded write
/// (twice for an UPDATE), and the structural bytes ('{', ',', ':', quotes) are most of what is
/// written, so they go straight into an array rather than through an <c>IBufferWriter</c> call each.
/// </summary>
internal sealed class CanonicalWriter
{
    private byte[] _output = new byte[4096];
    private int _written;
    private byte[] _names = new byte[1024];
    private int _namesUsed;
    private Member[] _members = new Member[64];
    // What each member holds that the GC must see, apart from the sorted members: a sort then
    // moves only small structs, with no write barrier for each move.
    private JsonElement[] _values = new JsonElement[64];
    private CanonicalJson.IPruning?[] _inners = new CanonicalJson.IPruning?[64];
    private int _membersUsed;
    private int _membersHigh;
    private bool _busy;

    // Larger buffers than these (an unusually large object) are not kept for the life of the thread.
    private const int MaxKeptOutput = 256 * 1024;
    private const int MaxKeptNames = 64 * 1024;
    private const int MaxKeptMembers = 4096;

    [ThreadStatic]
    private static CanonicalWriter? t_writer;

    /// <summary>The bytes written since <see cref="Rent"/>.</summary>
    public ReadOnlySpan<byte> Written => _output.AsSpan(0, _written);

    /// <summary>This thread's writer, emptied; a fresh one if it is in use (an <see cref="CanonicalJson.IPruning"/> that serializes).</summary>
    public static CanonicalWriter Rent()
    {
        var writer = t_writer;
        if (writer is null || writer._busy)
        {
            writer = new CanonicalWriter();
            t_writer ??= writer;
        }
        writer._busy = true;
        writer._written = 0;
        writer._namesUsed = 0;
        writer._membersUsed = 0;
        return writer;
    }

    /// <summary>Done with the output: drops the references to the document and oversized buffers.</summary>
    public void Return()
    {
        _values.AsSpan(0, _membersHigh).Clear();
        _inners.AsSpan(0, _membersHigh).Clear();
        _membersHigh = 0;
        if (_output.Length > MaxKeptOutput) _output = new byte[4096];
        if (_names.Length > MaxKeptNames) _names = new byte[1024];
        if (_members.Length > MaxKeptMembers) (_members, _values, _inners) = (new Member[64], new JsonElement[64], new CanonicalJson.IPruning?[64]);
        _busy = false;
    }

    /// <summary>
    /// A member to write: its slot (where its value and the pruning inside it sit), where its
    /// unescaped name sits in the name stack, what the name is made of (decided once, not at every
    /// comparison of the sort), and whether it is pruned.
    /// </summary>
    private readonly record struct Member(int Slot, int NameStart, int NameLength, Kind Spelling, bool Pruned)
    {
        public bool Ascii => Spelling != Kind.Other;
    }

    /// <summary>What a name is made of: printable ASCII without '"' or '\\'; other ASCII; anything else.</summary>
    private enum Kind : byte
    {
        Plain,
        Ascii,
        Other,
    }

    /// <summary>The bytes a plain name or string has none of: control characters, '"', '\\', and all beyond ASCII.</summary>
    private static readonly SearchValues<byte> NotPlain = SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\', .. Enumerable.Range(0x80, 0x80).Select(b => (byte)b)]);

    /// <summary>Whether <paramref name="bytes"/> holds none of <see cref="NotPlain"/>.</summary>
    /// <remarks>Names and most values are a few bytes: too short for the vector search to pay for its set-up.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsPlain(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 24) return bytes.IndexOfAny(NotPlain) < 0;
        var table = PlainBytes;
        foreach (var b in bytes)
        {
            if (!table[b]) return false;
        }
        return true;
    }

    private static readonly bool[] PlainBytes = [.. Enumerable.Range(0, 256).Select(b => !NotPlain.Contains((byte)b))];

    public void Write(JsonElement value, CanonicalJson.IPruning? pruning)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(value, pruning);
                break;
            case JsonValueKind.Array:
                Byte((byte)'[');
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!first) Byte((byte)',');
                    first = false;
                    Write(item, null);
                }
                Byte((byte)']');
                break;
            case JsonValueKind.String:
                WriteStringValue(value);
                break;
            case JsonValueKind.Number:
                WriteNumber(value);
                break;
            case JsonValueKind.True:
                Raw("true"u8);
                break;
            case JsonValueKind.False:
                Raw("false"u8);
                break;
            case JsonValueKind.Null:
                Raw("null"u8);
                break;
            default:
                throw new FormatException($"not a JSON value: {value.ValueKind}");
        }
    }

    private void WriteObject(JsonElement obj, CanonicalJson.IPruning? pruning)
    {
        // No try/finally to restore the stacks: a throw abandons the whole serialization (Rent
        // empties them for the next), and a protected region would keep the loop's locals in memory.
        var bottom = _membersUsed;
        var namesBottom = _namesUsed;
        foreach (var prop in obj.EnumerateObject())
        {
            var raw = JsonMarshal.GetRawUtf8PropertyName(prop);
            // Nearly every name is printable ASCII without a quote or backslash: then the bytes as
            // parsed are the name, ASCII, and need no escape, all known from one search.
            var plain = IsPlain(raw);
            ReadOnlySpan<byte> name = plain || raw.IndexOf((byte)'\\') < 0 ? raw : CanonicalJson.StrictUtf8.GetBytes(prop.Name);
            var value = prop.Value;
            CanonicalJson.IPruning? inner = null;
            var pruned = false;
            if (pruning is not null)
            {
                inner = pruning.Enter(name, out var removed);
                pruned = removed || CanonicalJson.PrunedAway(value, inner);
            }
            // A pruned member is sorted with the others, though not written: a name twice is no
            // canonical form even when one of the two would be pruned ({"spec":{}, "spec":...}).
            var start = PushName(name);
            var slot = _membersUsed;
            if (slot == _members.Length)
            {
                Array.Resize(ref _members, slot * 2);
                Array.Resize(ref _values, slot * 2);
                Array.Resize(ref _inners, slot * 2);
            }
            _members[slot] = new Member(slot, start, name.Length, plain ? Kind.Plain : Ascii.IsValid(name) ? Kind.Ascii : Kind.Other, pruned);
            _values[slot] = value;
            _inners[slot] = inner;
            _membersUsed = slot + 1;
            // Counted at once, so that Return clears it even when a later member throws.
            if (_membersUsed > _membersHigh) _membersHigh = _membersUsed;
        }
        var count = _membersUsed - bottom;
        Sort(_members.AsSpan(bottom, count));
        Byte((byte)'{');
        var wrote = false;
        for (var i = 0; i < count; i++)
        {
            // By offsets, read again each time: a nested object may replace the arrays with bigger
            // copies (the offsets stay valid in them).
            var member = _members[bottom + i];
            var name = _names.AsSpan(member.NameStart, member.NameLength);
            if (i > 0)
            {
                var previous = _members[bottom + i - 1];
                if (_names.AsSpan(previous.NameStart, previous.NameLength).SequenceEqual(name))
                {
                    // Two values under one name: which one counts is up to the reader, so no digest.
                    throw new FormatException($"the key \"{Encoding.UTF8.GetString(name)}\" appears twice in one object");
                }
            }
            if (member.Pruned) continue;
            if (wrote) Byte((byte)',');
            wrote = true;
            WriteName(name, member.Spelling);
            Byte((byte)':');
            Write(_values[member.Slot], _inners[member.Slot]);
        }
        Byte((byte)'}');
        _membersUsed = bottom;
        _namesUsed = namesBottom;
    }

    private int PushName(ReadOnlySpan<byte> name)
    {
        if (_namesUsed + name.Length > _names.Length)
        {
            // The objects below keep their offsets: what is on the stack moves along.
            Array.Resize(ref _names, Math.Max(_names.Length * 2, _namesUsed + name.Length));
        }
        var start = _namesUsed;
        name.CopyTo(_names.AsSpan(start));
        _namesUsed += name.Length;
        return start;
    }

    /// <summary>
    /// Orders members by name (RFC 8785 3.2.3). Insertion sort: objects in manifests have a
    /// handful of members, often already in order (one comparison each then), and it needs no
    /// comparer object; large objects go to the library sort.
    /// </summary>
    private void Sort(Span<Member> members)
    {
        var names = _names;
        if (members.Length > 32)
        {
            SortLarge(members, names);
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

    // Apart from Sort: a lambda capturing a local makes its closure on every call of the method that declares it.
    private static void SortLarge(Span<Member> members, byte[] names) => members.Sort((a, b) => Compare(a, b, names));

    private static int Compare(in Member a, in Member b, byte[] names)
    {
        var x = names.AsSpan(a.NameStart, a.NameLength);
        var y = names.AsSpan(b.NameStart, b.NameLength);
        if (!(a.Ascii && b.Ascii)) return CanonicalJson.CompareNames(x, y);
        // Names are short and mostly differ early: a loop beats the vector compare's set-up.
        // Bytes compare as unsigned, and ASCII's byte order is its UTF-16 order.
        var common = Math.Min(x.Length, y.Length);
        for (var i = 0; i < common; i++)
        {
            var d = x[i] - y[i];
            if (d != 0) return d;
        }
        return x.Length - y.Length;
    }

    private void WriteName(ReadOnlySpan<byte> utf8Name, Kind kind)
    {
        // An ASCII name is valid UTF-8: only a quote, a backslash or a control character needs the string path.
        if (kind switch { Kind.Plain => false, Kind.Ascii => CanonicalJson.NeedsEscapingAscii(utf8Name), _ => CanonicalJson.NeedsEscaping(utf8Name) })
        {
            WriteString(Encoding.UTF8.GetString(utf8Name));
            return;
        }
        var span = Reserve(utf8Name.Length + 2);
        span[0] = (byte)'"';
        utf8Name.CopyTo(span[1..]);
        span[utf8Name.Length + 1] = (byte)'"';
        _written += utf8Name.Length + 2;
    }

    private void WriteStringValue(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value); // with its quotes
        var inner = raw[1..^1];
        if (IsPlain(inner))
        {
            // Printable ASCII without an escape (the parser lets no raw control character or quote
            // through): canonical as it stands.
            Raw(raw);
            return;
        }
        if (inner.IndexOf((byte)'\\') < 0)
        {
            // No escape: the bytes between the quotes are the string. The parser does not check
            // UTF-8 inside strings, so it is checked here, as reading the string would.
            if (!System.Text.Unicode.Utf8.IsValid(inner)) throw new FormatException("a string is not valid UTF-8, which has no canonical JSON form");
            Raw(raw);
            return;
        }
        WriteString(value.GetString()!);
    }

    private void WriteNumber(JsonElement number)
    {
        var raw = JsonMarshal.GetRawUtf8Value(number);
        if (raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0)
        {
            // Written as an integer: its digits, exactly. JSON allows no leading zeros, so the
            // one other spelling of a value is "-0", which is the number 0.
            Raw(raw.TrimStart((byte)'-').IndexOfAnyExcept((byte)'0') < 0 ? "0"u8 : raw);
            return;
        }
        var value = double.Parse(raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
        if (double.IsInfinity(value))
        {
            throw new FormatException($"the number {Encoding.UTF8.GetString(raw)} is too large for a JSON number (I-JSON, RFC 7493)");
        }
        Utf8(EcmaNumber.Format(value));
    }

    /// <summary>RFC 8785 3.2.2.2: escape only '"', '\' and control characters, the short forms where JSON has them.</summary>
    private void WriteString(string s) => Utf8(CanonicalJson.Escaped(s));

    private void Utf8(string text)
    {
        // Strict: a lone surrogate has no UTF-8 form, and I-JSON forbids it.
        var count = CanonicalJson.StrictUtf8.GetByteCount(text);
        CanonicalJson.StrictUtf8.GetBytes(text, Reserve(count));
        _written += count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Byte(byte b)
    {
        if (_written == _output.Length) Grow(1);
        _output[_written++] = b;
    }

    private void Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _written += bytes.Length;
    }

    /// <summary>Room for <paramref name="count"/> more bytes at the end of the output; the caller advances.</summary>
    private Span<byte> Reserve(int count)
    {
        if (_output.Length - _written < count) Grow(count);
        return _output.AsSpan(_written);
    }

    private void Grow(int count) => Array.Resize(ref _output, Math.Max(_output.Length * 2, _written + count));
}
