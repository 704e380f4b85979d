using System.Runtime.InteropServices;
using System.Text.Json;

namespace Admission.Operator.Webhook;

/// <summary>
/// Strings that recur from review to review (apiVersion, the kind and resource, the namespace,
/// the user and their groups, the operation) handed out again instead of allocated again: each
/// thread keeps recent strings in a small table, found by a hash of their UTF-8 bytes and compared
/// with them byte for byte. A review costs its strings once per thread, not once per review.
/// </summary>
/// <remarks>
/// Only a value written without escapes is looked up: its raw bytes are then exactly its text,
/// so equal bytes are an equal string. One with an escape, a long one, or a miss is decoded by
/// <see cref="JsonElement.GetString"/> as before, with its refusals (a lone surrogate escape).
/// Per thread, so without locks; a slot holds at most <see cref="MaxBytes"/> bytes. Two slots per
/// hash: with one, two of a review's twenty strings often shared a slot and evicted each other on
/// every review.
/// </remarks>
internal static class RecurringStrings
{
    private const int Sets = 128; // a power of two; two slots each
    private const int MaxBytes = 64;

    [ThreadStatic] private static Table? t_table;

    /// <summary>The string's text, as <see cref="JsonElement.GetString"/> gives it (and throws as it throws).</summary>
    public static string Get(JsonElement value)
    {
        var raw = Unquoted(JsonMarshal.GetRawUtf8Value(value));
        if (raw.Length > MaxBytes || raw.Contains((byte)'\\')) return value.GetString()!;
        var table = t_table ??= new Table();
        var set = Set(raw);
        for (var way = 0; way < 2; way++)
        {
            var slot = set * 2 + way;
            if (table.Texts[slot] is { } kept && raw.SequenceEqual(table.Bytes.AsSpan(slot * MaxBytes, table.Lengths[slot])))
            {
                table.Recent[set] = (byte)way;
                return kept;
            }
        }
        // A miss decodes as before, so what the string is (or why it is refused) does not change.
        var text = value.GetString()!;
        var victim = 1 - table.Recent[set]; // the way not used last
        var into = set * 2 + victim;
        raw.CopyTo(table.Bytes.AsSpan(into * MaxBytes));
        table.Lengths[into] = raw.Length;
        table.Texts[into] = text;
        table.Recent[set] = (byte)victim;
        return text;
    }

    /// <summary>A string value's raw bytes come with their quotes; a quote inside one is always escaped.</summary>
    private static ReadOnlySpan<byte> Unquoted(ReadOnlySpan<byte> raw) =>
        raw.Length >= 2 && raw[0] == (byte)'"' && raw[^1] == (byte)'"' ? raw[1..^1] : raw;

    /// <summary>
    /// FNV-1a: the same sets in every process, so a benchmark's strings share sets (or not) run
    /// after run. A crafted value can only make itself miss, never be taken for another.
    /// </summary>
    private static int Set(ReadOnlySpan<byte> bytes)
    {
        var hash = 2166136261u;
        foreach (var b in bytes) hash = (hash ^ b) * 16777619u;
        return (int)((hash ^ (hash >> 15)) & (Sets - 1));
    }

    private sealed class Table
    {
        public readonly byte[] Bytes = new byte[Sets * 2 * MaxBytes];
        public readonly int[] Lengths = new int[Sets * 2];
        public readonly string?[] Texts = new string?[Sets * 2];
        /// <summary>Per set, the way found or filled last.</summary>
        public readonly byte[] Recent = new byte[Sets];
    }
}
