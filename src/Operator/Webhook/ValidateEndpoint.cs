using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Unicode;
using System.Text.Json;
using Admission.Operator.Observability;
using Microsoft.AspNetCore.Http.Features;

namespace Admission.Operator.Webhook;

/// <summary>POST /validate: decode, call the handler, encode. Nothing here decides.</summary>
public static class ValidateEndpoint
{
    /// <summary>An UPDATE carries two objects of up to 3 MiB each, plus the envelope.</summary>
    public const long MaxBodyBytes = 8 * 1024 * 1024;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = Hosting.WebhookLimits.MaxJsonDepth };

    public static IEndpointRouteBuilder MapValidate(this IEndpointRouteBuilder app)
    {
        app.Map("/validate", HandleAsync);
        return app;
    }

    private static async Task HandleAsync(HttpContext context, ReviewHandler handler)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await Refuse(context, StatusCodes.Status405MethodNotAllowed, $"method {request.Method} is not allowed; POST an AdmissionReview").ConfigureAwait(false);
            return;
        }
        if (!IsJson(request.ContentType))
        {
            await Refuse(context, StatusCodes.Status415UnsupportedMediaType,
                $"content type \"{request.ContentType}\" is not supported; send application/json").ConfigureAwait(false);
            return;
        }
        if (request.ContentLength > MaxBodyBytes)
        {
            await Refuse(context, StatusCodes.Status413PayloadTooLarge, $"body of {request.ContentLength} bytes is over the limit of {MaxBodyBytes} bytes").ConfigureAwait(false);
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        // One parse of the body; the objects in the review stay views into this document.
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, DocumentOptions, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            await Refuse(context, StatusCodes.Status400BadRequest, $"body is not a valid AdmissionReview: {Short(e)}").ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await Refuse(context, StatusCodes.Status413PayloadTooLarge, $"body is over the limit of {MaxBodyBytes} bytes").ConfigureAwait(false);
            return;
        }
        using (document)
        {
            // The reader checks UTF-8 only in the strings it converts; a bad byte anywhere else would
            // slip through here and throw later in a rule. One vectorised pass over the parsed bytes.
            if (!Utf8.IsValid(JsonMarshal.GetRawUtf8Value(document.RootElement)))
            {
                await Refuse(context, StatusCodes.Status400BadRequest, "body is not a valid AdmissionReview: it is not valid UTF-8").ConfigureAwait(false);
                return;
            }
            AdmissionReview review;
            try
            {
                review = ReviewReader.Read(document.RootElement);
            }
            catch (JsonException e)
            {
                await Refuse(context, StatusCodes.Status400BadRequest, $"body is not a valid AdmissionReview: {e.Message}").ConfigureAwait(false);
                return;
            }
            if (ReviewTranslator.EnvelopeProblem(review) is { } problem)
            {
                await Refuse(context, StatusCodes.Status400BadRequest, problem).ConfigureAwait(false);
                return;
            }
            AdmissionReview response;
            try
            {
                response = await handler.HandleAsync(review.Request!, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug must not read as a network failure: deny, say so, and keep the detail in the log.
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ValidateEndpoint))
                    .LogError(e, "deciding review {Uid} failed", review.Request!.Uid);
                response = ReviewResponses.Errored(review.Request!.Uid!, StatusCodes.Status500InternalServerError,
                    "the admission webhook failed to decide this request (an internal error, logged with uid " + review.Request.Uid + "); it is denied");
            }
            await Respond(context, response).ConfigureAwait(false);
        }
        AdmissionMetrics.RequestDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private static async Task Respond(HttpContext context, AdmissionReview response)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, response, AdmissionJson.Relaxed.AdmissionReview, context.RequestAborted).ConfigureAwait(false);
    }

    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType)) return false;
        var semi = contentType.IndexOf(';', StringComparison.Ordinal);
        var media = (semi < 0 ? contentType : contentType[..semi]).Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase);
    }

    private static string Short(JsonException e)
    {
        var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine})" : "";
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message) + where;
    }

    private static Task Refuse(HttpContext context, int status, string message)
    {
        AdmissionMetrics.BadRequests.WithLabels(status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }
}
