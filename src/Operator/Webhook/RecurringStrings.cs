using System.Runtime.InteropServices;
using System.Text.Json;

namespace Admission.Operator.Webhook;

/// <summary>
/// Strings that recur from review to review (apiVersion, the kind and resource, the namespace,
/// the user and their groups, the operation) handed out again instead of allocated again: each
/// thread keeps the last string seen in each of a few slots, found by a hash of its UTF-8 bytes
/// and compared with them byte for byte. A review costs its strings once per thread, not once per
/// review.
/// </summary>
/// <remarks>
/// Only a value written without escapes is looked up: its raw bytes are then exactly its text,
/// so equal bytes are an equal string. One with an escape, a long one, or a miss is decoded by
/// <see cref="JsonElement.GetString"/> as before, with its refusals (a lone surrogate escape).
/// Per thread, so without locks; a slot holds at most <see cref="MaxBytes"/> bytes.
/// </remarks>
internal static class RecurringStrings
{
    private const int Slots = 128; // a power of two
    private const int MaxBytes = 64;

    [ThreadStatic] private static Table? t_table;

    /// <summary>The string's text, as <see cref="JsonElement.GetString"/> gives it (and throws as it throws).</summary>
    public static string Get(JsonElement value)
    {
        var raw = Unquoted(JsonMarshal.GetRawUtf8Value(value));
        if (raw.Length > MaxBytes || raw.Contains((byte)'\\')) return value.GetString()!;
        var table = t_table ??= new Table();
        var slot = Slot(raw);
        var kept = table.Bytes.AsSpan(slot * MaxBytes, table.Lengths[slot]);
        if (table.Texts[slot] is { } text && raw.SequenceEqual(kept)) return text;
        // A miss decodes as before, so what the string is (or why it is refused) does not change.
        text = value.GetString()!;
        raw.CopyTo(table.Bytes.AsSpan(slot * MaxBytes));
        table.Lengths[slot] = raw.Length;
        table.Texts[slot] = text;
        return text;
    }

    /// <summary>A string value's raw bytes come with their quotes; a quote inside one is always escaped.</summary>
    private static ReadOnlySpan<byte> Unquoted(ReadOnlySpan<byte> raw) =>
        raw.Length >= 2 && raw[0] == (byte)'"' && raw[^1] == (byte)'"' ? raw[1..^1] : raw;

    private static int Slot(ReadOnlySpan<byte> bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode() & (Slots - 1);
    }

    private sealed class Table
    {
        public readonly byte[] Bytes = new byte[Slots * MaxBytes];
        public readonly int[] Lengths = new int[Slots];
        public readonly string?[] Texts = new string?[Slots];
    }
}
