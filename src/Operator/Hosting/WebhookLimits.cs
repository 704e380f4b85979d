namespace Admission.Operator.Hosting;

/// <summary>
/// Every limit the webhook's server enforces, in one place, each chosen for kube-apiserver as the
/// only legitimate client (docs/operating.md, "Limits", says why each value). Tests shorten the
/// timeouts; nothing else changes them.
/// </summary>
public sealed record WebhookLimits
{
    public static readonly WebhookLimits Default = new();

    /// <summary>
    /// Nesting depth of a review body. System.Text.Json's default of 64 refuses real custom
    /// resources (free-form config fields, embedded schemas: two levels per field), which with
    /// failurePolicy Fail would block them; kube-apiserver itself allows 10,000. 256 admits any
    /// object a person writes while keeping the webhook's recursive walks (digest, inspection)
    /// far inside the thread stack.
    /// </summary>
    public const int MaxJsonDepth = 256;

    /// <summary>kube-apiserver sends a handful of short headers; 16 KiB leaves room for long tracing headers.</summary>
    public int MaxRequestHeadersTotalSize { get; init; } = 16 * 1024;

    public int MaxRequestHeaderCount { get; init; } = 64;

    /// <summary>The request line is <c>POST /validate?timeout=10s HTTP/1.1</c>.</summary>
    public int MaxRequestLineSize { get; init; } = 4 * 1024;

    /// <summary>
    /// Longer than the idle timeout of kube-apiserver's HTTP client (Go's 90 s): when the server
    /// closes an idle connection first, the client can race it with a POST, which Go does not retry.
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>kube-apiserver sends the headers at once; a webhook call times out after 10 s by default.</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A client that sends the body slower than this (averaged, after the grace period) is cut off:
    /// a byte-a-second client is gone within seconds instead of holding a request slot.
    /// kube-apiserver sends its body at network speed.
    /// </summary>
    public double MinDataBytesPerSecond { get; init; } = 16 * 1024;

    public TimeSpan MinDataRateGrace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>HTTP/2 streams in flight on one connection; more wait for a stream, not for a slot.</summary>
    public int Http2MaxStreamsPerConnection { get; init; } = 32;

    /// <summary>
    /// Reviews decided at once. A decision takes well under a millisecond unless a live read of the
    /// API server stalls, so a full house means something is stuck: past it a review is answered
    /// at once with 429 and Retry-After, which kube-apiserver's client retries, instead of queueing
    /// until its timeout. Health and metrics are not counted.
    /// </summary>
    public int MaxConcurrentReviews { get; init; } = 64;
}
