using System.Text.Json;

namespace Admission.Operator.Hosting;

/// <summary>
/// What serve writes before (or instead of) its host's logger, in the format of <c>--log-format</c>:
/// a startup error in JSON format is a JSON object like every other line, so a log pipeline that
/// parses each line does not lose the one line that says why the webhook is down.
/// </summary>
public static class StartupLog
{
    /// <summary>RFC 3339 in UTC, as both console formatters are told to write it.</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>Messages carry quotes and paths; people read them, so they are not escaped beyond what JSON needs.</summary>
    public static readonly System.Text.Encodings.Web.JavaScriptEncoder Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>One error, as the JSON console formatter would write it (same property names).</summary>
    public static void WriteJsonError(TextWriter writer, string message, DateTimeOffset now)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Encoder }))
        {
            json.WriteStartObject();
            json.WriteString("Timestamp", now.UtcDateTime.ToString(TimestampFormat, System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("EventId", 0);
            json.WriteString("LogLevel", "Error");
            json.WriteString("Category", WebhookHost.Category);
            json.WriteString("Message", message);
            json.WriteEndObject();
        }
        writer.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
