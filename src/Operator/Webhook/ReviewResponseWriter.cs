using System.Text.Encodings.Web;
using System.Text.Json;
using Admission.Operator.Observability;

namespace Admission.Operator.Webhook;

/// <summary>
/// Writes a response AdmissionReview as the serializer would (camelCase, nulls left out, messages
/// not HTML-escaped) with a reused <see cref="Utf8JsonWriter"/> into a reused per-thread buffer,
/// so the body's length is known (no chunked encoding) and the response allocates no buffers.
/// </summary>
internal static class ReviewResponseWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    [ThreadStatic] private static PooledBufferWriter? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    /// <summary>The encoded review; valid until this thread encodes the next one.</summary>
    public static ReadOnlySpan<byte> Encode(AdmissionReview review)
    {
        var buffer = t_buffer ??= new PooledBufferWriter(1024);
        buffer.Clear();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, Options);
        writer.Reset(buffer);
        Write(writer, review);
        writer.Flush();
        return buffer.WrittenSpan;
    }

    public static async Task WriteAsync(HttpResponse http, AdmissionReview review, CancellationToken cancellationToken)
    {
        http.StatusCode = StatusCodes.Status200OK;
        http.ContentType = "application/json";
        var body = Encode(review);
        http.ContentLength = body.Length;
        // Copied into the pipe before the first await, while the per-thread buffer is still ours.
        var pipe = http.BodyWriter;
        body.CopyTo(pipe.GetSpan(body.Length));
        pipe.Advance(body.Length);
        await pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void Write(Utf8JsonWriter w, AdmissionReview review)
    {
        w.WriteStartObject();
        if (review.ApiVersion is not null) w.WriteString("apiVersion"u8, review.ApiVersion);
        if (review.Kind is not null) w.WriteString("kind"u8, review.Kind);
        if (review.Response is { } r)
        {
            w.WriteStartObject("response"u8);
            w.WriteString("uid"u8, r.Uid);
            w.WriteBoolean("allowed"u8, r.Allowed);
            if (r.Status is { } s)
            {
                w.WriteStartObject("status"u8);
                if (s.Status is not null) w.WriteString("status"u8, s.Status);
                w.WriteNumber("code"u8, s.Code);
                if (s.Reason is not null) w.WriteString("reason"u8, s.Reason);
                if (s.Message is not null) w.WriteString("message"u8, s.Message);
                if (s.Details is { Causes: { } causes })
                {
                    // The reason codes clients act on (the plugin reads them, never the message).
                    w.WriteStartObject("details"u8);
                    w.WriteStartArray("causes"u8);
                    foreach (var c in causes)
                    {
                        w.WriteStartObject();
                        if (c.Reason is not null) w.WriteString("reason"u8, c.Reason);
                        if (c.Message is not null) w.WriteString("message"u8, c.Message);
                        if (c.Field is not null) w.WriteString("field"u8, c.Field);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            if (r.AuditAnnotations is { } annotations)
            {
                w.WriteStartObject("auditAnnotations"u8);
                foreach (var (key, value) in annotations) w.WriteString(key, value);
                w.WriteEndObject();
            }
            if (r.Warnings is { } warnings)
            {
                w.WriteStartArray("warnings"u8);
                foreach (var warning in warnings) w.WriteStringValue(warning);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
}
