using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Admission.Operator.Observability;
using Admission.Policies;
using Microsoft.AspNetCore.Http.Features;

namespace Admission.Operator.Webhook;

/// <summary>POST /validate: decode, call the handler, encode. Nothing here decides.</summary>
public static class ValidateEndpoint
{
    /// <summary>An UPDATE carries two objects of up to 3 MiB each, plus the envelope.</summary>
    public const long MaxBodyBytes = 8 * 1024 * 1024;

    /// <summary>
    /// Maps <c>/validate</c>, bounded by the registered <see cref="Hosting.ReviewConcurrency"/> if any.
    /// A plain request delegate: the handler is a singleton, looked up on the first review (not when
    /// mapped, which would build the approval state before the host starts) and kept.
    /// </summary>
    public static IEndpointRouteBuilder MapValidate(this IEndpointRouteBuilder app)
    {
        ReviewHandler? handler = null;
        RequestDelegate validate = context => HandleAsync(context, handler ??= context.RequestServices.GetRequiredService<ReviewHandler>());
        app.Map("/validate", app.ServiceProvider.GetService<Hosting.ReviewConcurrency>() is { } bound ? bound.Around(validate) : validate);
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

        // The body is read once into a pooled buffer and parsed once; the objects in the review stay
        // views into that document, so the buffer goes back to the pool only after it.
        byte[] buffer;
        int length;
        try
        {
            (buffer, length) = await ReadBodyAsync(request, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await Refuse(context, StatusCodes.Status413PayloadTooLarge, $"body is over the limit of {MaxBodyBytes} bytes").ConfigureAwait(false);
            return;
        }
        try
        {
            var document = ParseReview(buffer.AsMemory(0, length), out var problem);
            if (document is null)
            {
                await Refuse(context, StatusCodes.Status400BadRequest, problem).ConfigureAwait(false);
                return;
            }
            using (document)
            {
                await DecideAsync(context, handler, document).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        AdmissionMetrics.RequestDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private static async Task DecideAsync(HttpContext context, ReviewHandler handler, JsonDocument document)
    {
        var decoded = Decode(document.RootElement, handler);
        if (decoded.Problem is { } problem)
        {
            await Refuse(context, StatusCodes.Status400BadRequest, problem).ConfigureAwait(false);
            return;
        }
        var uid = decoded.Uid;
        AdmissionReview response;
        try
        {
            response = await handler.HandleAsync(uid, decoded.Input!, decoded.Policy!, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug must not read as a network failure: deny, say so, and keep the detail in the log.
            AdmissionMetrics.InternalErrors.Inc();
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ValidateEndpoint))
                .LogError(e, "deciding review {Uid} failed", uid);
            response = ReviewResponses.Errored(uid, StatusCodes.Status500InternalServerError,
                "the admission webhook failed to decide this request (an internal error, logged with uid " + uid + "); it is denied");
        }
        await Respond(context, response).ConfigureAwait(false);
    }

    /// <summary>A parsed review made ready to decide, or why it cannot be (a 400).</summary>
    internal readonly record struct DecodedReview(string Uid, AdmissionInput? Input, AdmissionPolicy? Policy, string? Problem);

    /// <summary>
    /// From the parsed body to the engine's input: the strict read, the envelope, the translation.
    /// What /validate does between the parse and the decision, and what ReviewBenchmarks measures.
    /// </summary>
    internal static DecodedReview Decode(JsonElement root, ReviewHandler handler)
    {
        AdmissionReview review;
        try
        {
            review = ReviewReader.Read(root);
        }
        catch (JsonException e)
        {
            return new("", null, null, $"body is not a valid AdmissionReview: {e.Message}");
        }
        if (ReviewTranslator.EnvelopeProblem(review) is { } problem)
        {
            return new("", null, null, problem);
        }
        var uid = review.Request!.Uid!;
        // Read once: translated and decided with the same policy though a reload may land in between.
        var policy = handler.Policy;
        var (input, inconsistent) = ReviewTranslator.ToInput(review.Request, policy);
        return input is null
            ? new(uid, null, null, $"AdmissionReview {uid} cannot be decided: {inconsistent}")
            : new(uid, input, policy, null);
    }

    /// <summary>
    /// The body as one parsed document, or null and why not (a 400): what /validate does with every
    /// body, and what ReviewBenchmarks measures as the webhook's parse.
    /// </summary>
    internal static JsonDocument? ParseReview(ReadOnlyMemory<byte> body, out string problem)
    {
        problem = "";
        // Strings are not checked for UTF-8 when parsed, only when read: check the whole body,
        // so that no byte sequence two readers could decode differently gets near a decision.
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            problem = "body is not valid UTF-8";
            return null;
        }
        try
        {
            return JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException e)
        {
            problem = $"body is not a valid AdmissionReview: {Short(e)}";
            return null;
        }
        catch (InvalidOperationException)
        {
            // The repeated-key check unescapes property names, and a lone surrogate escape
            // (\ud800 without its pair) names no string (found by the fuzz property).
            problem = "body is not a valid AdmissionReview: a property name holds an unpaired surrogate escape";
            return null;
        }
    }

    /// <summary>
    /// Repeated keys are refused: two readers taking the first and the last would decide on
    /// different objects. The parse's own check (names compared unescaped, in every object) costs
    /// about as much again as the parse; a reader pass of our own over the bytes cost more
    /// (docs/performance.md), so it is this check.
    /// </summary>
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowDuplicateProperties = false,
        MaxDepth = Hosting.WebhookLimits.MaxJsonDepth,
    };

    /// <summary>The whole body, in a buffer rented from the pool (the caller returns it); the parse-only floor reads with it too.</summary>
    internal static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is { } known and > 0 and <= MaxBodyBytes ? (int)known + 1 : 64 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > MaxBodyBytes)
                    {
                        throw new BadHttpRequestException("body too large", StatusCodes.Status413PayloadTooLarge);
                    }
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, MaxBodyBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
                if (length > MaxBodyBytes)
                {
                    throw new BadHttpRequestException("body too large", StatusCodes.Status413PayloadTooLarge);
                }
            }
            return (buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static Task Respond(HttpContext context, AdmissionReview response) =>
        ReviewResponseWriter.WriteAsync(context.Response, response, context.RequestAborted);

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
