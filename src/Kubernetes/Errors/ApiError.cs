using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s.Autorest;

namespace Admission.Kubernetes;

/// <summary>
/// Turns KubernetesClient's <see cref="HttpOperationException"/> (status, reason phrase, body,
/// headers) into a <see cref="KubernetesApiException"/> with the metav1.Status read once:
/// <c>catch (HttpOperationException e) when (ApiError.From(e).IsNotFound)</c>.
/// </summary>
public static class ApiError
{
    // A catch with several filters asks of the same exception more than once: read its body once.
    private static readonly ConditionalWeakTable<HttpOperationException, KubernetesApiException> Read = [];

    public static KubernetesApiException From(HttpOperationException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return Read.GetValue(e, static e =>
        {
            var response = e.Response;
            if (response is null)
            {
                return new KubernetesApiException(0, "", e.Message, innerException: e);
            }
            return FromResponse((int)response.StatusCode, response.Content, response.ReasonPhrase, RetryAfterHeader(response.Headers), e);
        });
    }

    /// <summary>The API error an exception carries: itself, or what its <see cref="HttpOperationException"/> says.</summary>
    public static bool TryFrom(Exception? e, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out KubernetesApiException? error)
    {
        error = e switch
        {
            KubernetesApiException k => k,
            HttpOperationException h => From(h),
            _ => null,
        };
        return error is not null;
    }

    /// <summary>From the parts of an answer: a metav1.Status body is read for reason, message, details; any other body is the message.</summary>
    public static KubernetesApiException FromResponse(int statusCode, string? body, string? reasonPhrase, TimeSpan? retryAfter = null, Exception? innerException = null)
    {
        string? message = null, reason = null, detailsName = null;
        TimeSpan? detailsRetry = null;
        var causes = new List<StatusCause>();
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    message = Str(root, "message");
                    reason = Str(root, "reason");
                    if (root.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Object)
                    {
                        detailsName = Str(details, "name");
                        if (details.TryGetProperty("retryAfterSeconds", out var seconds) && seconds.TryGetInt32(out var s) && s > 0)
                        {
                            detailsRetry = TimeSpan.FromSeconds(s);
                        }
                        if (details.TryGetProperty("causes", out var list) && list.ValueKind == JsonValueKind.Array)
                        {
                            foreach (var cause in list.EnumerateArray())
                            {
                                if (cause.ValueKind != JsonValueKind.Object) continue;
                                causes.Add(new StatusCause(Str(cause, "reason") ?? "", Str(cause, "field") ?? "", Str(cause, "message") ?? ""));
                            }
                        }
                    }
                }
                else
                {
                    message = body.Trim();
                }
            }
            catch (JsonException)
            {
                message = body.Trim();
            }
        }
        if (string.IsNullOrEmpty(message))
        {
            message = reasonPhrase ?? ((HttpStatusCode)statusCode).ToString();
        }
        return new KubernetesApiException(statusCode, reason ?? ((HttpStatusCode)statusCode).ToString(), message,
            detailsName, causes, retryAfter ?? detailsRetry, innerException);
    }

    /// <summary>Retry-After in seconds, as kube-apiserver sends it (429 from API Priority and Fairness, 503 while it starts).</summary>
    internal static TimeSpan? RetryAfterHeader(IDictionary<string, IEnumerable<string>>? headers)
    {
        if (headers is null) return null;
        foreach (var (name, values) in headers)
        {
            if (!name.Equals("Retry-After", StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var value in values)
            {
                if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                {
                    return TimeSpan.FromSeconds(seconds);
                }
            }
        }
        return null;
    }

    private static string? Str(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
