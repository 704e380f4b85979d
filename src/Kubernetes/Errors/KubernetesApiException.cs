using System.Globalization;

namespace Admission.Kubernetes;

/// <summary>
/// The API server answered with an error status. The one typed error both programs reason about:
/// callers ask what kind of refusal it is through the predicates below, never by comparing status
/// codes themselves, so "not found" and "type not served" cannot be confused in one place and
/// told apart in another. Built from an <c>HttpOperationException</c> by <see cref="ApiError"/>.
/// </summary>
public sealed class KubernetesApiException : Exception
{
    /// <summary>How many characters of the server's message <see cref="Summary"/> keeps.</summary>
    public const int SummaryMessageLimit = 300;

    public KubernetesApiException(int statusCode, string reason, string message, string? detailsName = null,
        IReadOnlyList<StatusCause>? causes = null, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Reason = reason;
        DetailsName = string.IsNullOrEmpty(detailsName) ? null : detailsName;
        Causes = causes ?? [];
        RetryAfter = retryAfter;
    }

    public KubernetesApiException() : this(0, "", "") { }

    public KubernetesApiException(string message) : this(0, "", message) { }

    public KubernetesApiException(string message, Exception innerException) : this(0, "", message, innerException: innerException) { }

    /// <summary>HTTP status: 400, 401, 403, 404, 409, 422, 500...; 0 when there was no response.</summary>
    public int StatusCode { get; }

    /// <summary>metav1.Status reason (Forbidden, NotFound, Conflict, AlreadyExists, Invalid...), else the HTTP reason phrase.</summary>
    public string Reason { get; }

    /// <summary>metav1.Status details.name, when the server named the object; null otherwise.</summary>
    public string? DetailsName { get; }

    /// <summary>metav1.Status details.causes: for a 422 Invalid, one per field error (CRD schema or CEL rule).</summary>
    public IReadOnlyList<StatusCause> Causes { get; }

    /// <summary>When the server said to come back: the Retry-After header, else details.retryAfterSeconds.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>404 of any kind: a missing object or a resource type the server does not serve.</summary>
    public bool IsNotFound => StatusCode == 404;

    /// <summary>
    /// 404 for the path rather than an object: kube-apiserver names the object it looked for in
    /// <c>details.name</c> (<c>changeapprovals.approvals.admission.dev "x" not found</c>), while a
    /// group, version or resource it does not serve ends in its not-found handler, whose Status has
    /// empty details (<c>the server could not find the requested resource</c>), or, outside the API
    /// paths, a plain-text <c>404 page not found</c>. So: no details.name means the type is not served.
    /// </summary>
    public bool IsTypeNotServed => StatusCode == 404 && DetailsName is null;

    /// <summary>404 about this object (details.name, or the message kube-apiserver writes for it), not about its type.</summary>
    public bool IsNotFoundObject(string name) =>
        StatusCode == 404 && (DetailsName == name || Message.EndsWith($"\"{name}\" not found", StringComparison.Ordinal));

    /// <summary>409: a stale resourceVersion (Conflict) or a create of a name that exists (AlreadyExists).</summary>
    public bool IsConflict => StatusCode == 409;

    /// <summary>409 AlreadyExists: a create found the name taken.</summary>
    public bool IsAlreadyExists => StatusCode == 409 && Reason == "AlreadyExists";

    /// <summary>400 BadRequest: the request itself was malformed (and what an admission webhook's plain refusal may carry).</summary>
    public bool IsBadRequest => StatusCode == 400;

    public bool IsUnauthorized => StatusCode == 401;

    public bool IsForbidden => StatusCode == 403;

    public bool IsMethodNotAllowed => StatusCode == 405;

    /// <summary>410 Gone (reason Expired): a watch or list resourceVersion the server no longer holds.</summary>
    public bool IsGone => StatusCode == 410;

    /// <summary>422 Invalid: the object failed validation (schema, CEL rules); <see cref="Causes"/> names the fields.</summary>
    public bool IsInvalid => StatusCode == 422;

    /// <summary>429: API Priority and Fairness (or an eviction budget) refused it for now; see <see cref="RetryAfter"/>.</summary>
    public bool IsTooManyRequests => StatusCode == 429;

    /// <summary>5xx: the server (or an admission webhook it called, or a proxy before it) failed, not the request.</summary>
    public bool IsServerError => StatusCode >= 500;

    /// <summary>
    /// The server gave up on the request in time, and a retry may succeed: reason ServerTimeout
    /// (500, the operation could not finish) or Timeout (504), as apimachinery's errors tell them.
    /// </summary>
    public bool IsServerTimeout => Reason is "ServerTimeout" or "Timeout" || StatusCode == 504;

    /// <summary>Status and reason without the message, for where the message is said otherwise: <c>404 NotFound</c>.</summary>
    /// <remarks>The reason comes from the server's body, so it is put on one line too (a reason of a bare
    /// line break is no reason).</remarks>
    public string StatusLine => OneLine(Reason) is { Length: > 0 } reason
        ? $"{StatusCode.ToString(CultureInfo.InvariantCulture)} {reason}"
        : StatusCode.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// One line for logs and messages: <c>409 Conflict: the object has been modified...</c>, the
    /// server's message on one line and cut at <see cref="SummaryMessageLimit"/> characters.
    /// </summary>
    public string Summary
    {
        get
        {
            var head = StatusLine;
            var text = OneLine(Message);
            if (text.Length == 0) return head;
            return $"{head}: {(text.Length <= SummaryMessageLimit ? text : text[..SummaryMessageLimit] + "...")}";
        }
    }

    private static string OneLine(string text) =>
        text.Trim().ReplaceLineEndings(" ");
}
