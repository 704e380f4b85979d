using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Admission.Operator.Observability;

/// <summary>
/// Encodes one decision as one UTF-8 line, in the shape the host's console logger gives its other
/// lines (so log pipelines see one format), without going through the logger's formatting. One
/// encoder per thread: the buffers and the JSON writer are reused, so a line costs no allocation
/// beyond the pooled array it is handed off in.
/// </summary>
// The JSON writer lives as long as its thread; it holds no unmanaged resource.
#pragma warning disable CA1001
internal sealed class DecisionLineEncoder
{
    public const string Category = "Admission.Operator.Webhook.ReviewHandler";

    private static readonly JsonWriterOptions JsonOptions = new()
    {
        // People read the names in these lines; quotes and control characters are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    [ThreadStatic] private static DecisionLineEncoder? t_current;

    private readonly PooledBufferWriter _line = new(LinePool.Size, LinePool.Instance);
    private readonly PooledBufferWriter _message = new(512);
    private readonly Utf8JsonWriter _json;

#pragma warning restore CA1001
    private DecisionLineEncoder() => _json = new Utf8JsonWriter(_line, JsonOptions);

    public static DecisionLineEncoder ForThisThread() => t_current ??= new DecisionLineEncoder();

    /// <summary>The line, ending in a newline, in an array from the shared pool that the caller now owns.</summary>
    public (byte[] Buffer, int Length) Encode(in DecisionRecord record, DateTimeOffset now, bool json)
    {
        _line.Clear();
        _message.Clear();
        WriteMessage(_message, record);
        if (json)
        {
            WriteJson(record, now);
        }
        else
        {
            WriteTimestamp(_line, now);
            Append(_line, " info: "u8);
            Append(_line, Category);
            Append(_line, "[1] "u8);
            Append(_line, _message.WrittenSpan);
        }
        Append(_line, "\n"u8);
        return _line.Detach();
    }

    private void WriteJson(in DecisionRecord record, DateTimeOffset now)
    {
        Span<byte> timestamp = stackalloc byte[TimestampLength];
        FormatTimestamp(now, timestamp);
        _json.Reset(_line);
        _json.WriteStartObject();
        _json.WriteString("Timestamp"u8, timestamp);
        _json.WriteNumber("EventId"u8, 1);
        _json.WriteString("LogLevel"u8, "Information"u8);
        _json.WriteString("Category"u8, Category);
        _json.WriteString("Message"u8, _message.WrittenSpan);
        _json.WriteStartObject("State"u8);
        _json.WriteString("Uid"u8, record.Uid);
        _json.WriteString("User"u8, record.User);
        _json.WriteString("Operation"u8, record.Operation);
        _json.WriteString("Resource"u8, record.Resource);
        _json.WriteString("Namespace"u8, record.Namespace);
        _json.WriteString("Name"u8, record.Name);
        _json.WriteString("Decision"u8, record.Decision);
        _json.WriteString("Approval"u8, record.Approval);
        if (record.Digest is null) _json.WriteNull("Digest"u8);
        else _json.WriteString("Digest"u8, record.Digest);
        _json.WriteBoolean("DryRun"u8, record.DryRun);
        _json.WriteNumber("LatencyMs"u8, Math.Round(record.LatencyMs, 3));
        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.Flush();
    }

    /// <summary>The human sentence, the same in both formats (the text line is this after the prefix).</summary>
    private static void WriteMessage(PooledBufferWriter to, in DecisionRecord r)
    {
        Append(to, "decision uid="u8);
        AppendValue(to, r.Uid);
        Append(to, " user="u8);
        AppendValue(to, r.User);
        Append(to, " operation="u8);
        AppendValue(to, r.Operation);
        Append(to, " resource="u8);
        AppendValue(to, r.Resource);
        Append(to, " object="u8);
        AppendValue(to, r.Namespace);
        Append(to, "/"u8);
        AppendValue(to, r.Name);
        Append(to, " decision="u8);
        AppendValue(to, r.Decision);
        Append(to, " approval="u8);
        AppendValue(to, r.Approval);
        Append(to, " digest="u8);
        AppendValue(to, r.Digest ?? "");
        Append(to, r.DryRun ? " dryRun=True latencyMs="u8 : " dryRun=False latencyMs="u8);
        var span = to.GetSpan(32);
        r.LatencyMs.TryFormat(span, out var written, "F3", CultureInfo.InvariantCulture);
        to.Advance(written);
    }

    private static void WriteTimestamp(PooledBufferWriter to, DateTimeOffset now)
    {
        FormatTimestamp(now, to.GetSpan(TimestampLength));
        to.Advance(TimestampLength);
    }

    private const int TimestampLength = 24; // 2026-03-06T12:00:00.123Z

    /// <summary>RFC 3339 in UTC with milliseconds, digit by digit: a custom format string costs more than the rest of the line.</summary>
    private static void FormatTimestamp(DateTimeOffset now, Span<byte> to)
    {
        var t = now.UtcDateTime;
        Digits(to[..4], t.Year);
        to[4] = (byte)'-';
        Digits(to[5..7], t.Month);
        to[7] = (byte)'-';
        Digits(to[8..10], t.Day);
        to[10] = (byte)'T';
        Digits(to[11..13], t.Hour);
        to[13] = (byte)':';
        Digits(to[14..16], t.Minute);
        to[16] = (byte)':';
        Digits(to[17..19], t.Second);
        to[19] = (byte)'.';
        Digits(to[20..23], t.Millisecond);
        to[23] = (byte)'Z';
    }

    private static void Digits(Span<byte> to, int value)
    {
        for (var i = to.Length - 1; i >= 0; i--, value /= 10) to[i] = (byte)('0' + value % 10);
    }

    private static void Append(PooledBufferWriter to, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(to.GetSpan(bytes.Length));
        to.Advance(bytes.Length);
    }

    private static void Append(PooledBufferWriter to, string text)
    {
        var span = to.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        to.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    /// <summary>A value from the request: control characters become '?', so a crafted name cannot start a forged line.</summary>
    private static void AppendValue(PooledBufferWriter to, string text)
    {
        var span = to.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        var written = Encoding.UTF8.GetBytes(text, span);
        var value = span[..written];
        // UTF-8 multi-byte sequences never contain bytes below 0x80, so this only touches ASCII controls.
        for (var i = value.IndexOfAnyInRange((byte)0, (byte)0x1f); i >= 0; i = value.IndexOfAnyInRange((byte)0, (byte)0x1f))
        {
            value[i] = (byte)'?';
        }
        to.Advance(written);
    }
}
