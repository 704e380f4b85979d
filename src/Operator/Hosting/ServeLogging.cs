namespace Admission.Operator.Hosting;

/// <summary>serve's console logging: one line per entry, UTC RFC 3339 timestamps, text or JSON (<c>--log-format</c>).</summary>
internal static class ServeLogging
{
    public static ILoggingBuilder AddServeLogging(this ILoggingBuilder logging, ServeOptions options)
    {
        logging.ClearProviders();
        if (options.LogFormat == "json")
        {
            // RFC 3339 in UTC; the formatter writes each entry as one line.
            logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.IncludeScopes = true; // the review uid of a line written while deciding
                o.TimestampFormat = StartupLog.TimestampFormat;
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Encoder = StartupLog.Encoder };
            });
        }
        else
        {
            // The trailing space separates the timestamp from the level in the text line.
            logging.AddSimpleConsole(o => { o.SingleLine = true; o.IncludeScopes = true; o.UseUtcTimestamp = true; o.TimestampFormat = StartupLog.TimestampFormat + " "; });
        }
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        return logging;
    }
}
