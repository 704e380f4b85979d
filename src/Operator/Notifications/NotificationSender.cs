using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Admission.Operator.Observability;
using Admission.Policies;

namespace Admission.Operator.Notifications;

/// <summary>How hard a notification is tried. Tests shorten them through ADMISSION_NOTIFY_* (Go durations).</summary>
internal sealed record NotificationTimings
{
    public TimeSpan BackoffInitial { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public int MaxAttempts { get; init; } = 8;

    /// <summary>The defaults with the <c>ADMISSION_NOTIFY_*</c> variables <paramref name="read"/> returns; each bad one added to <paramref name="errors"/>.</summary>
    public static NotificationTimings FromEnvironment(Func<string, string?> read, ICollection<InputError> errors)
    {
        var t = new NotificationTimings();
        return t with
        {
            BackoffInitial = Cluster.ClusterTimings.ReadDuration(read, "ADMISSION_NOTIFY_BACKOFF_INITIAL", t.BackoffInitial, errors),
            BackoffMax = Cluster.ClusterTimings.ReadDuration(read, "ADMISSION_NOTIFY_BACKOFF_MAX", t.BackoffMax, errors),
            AttemptTimeout = Cluster.ClusterTimings.ReadDuration(read, "ADMISSION_NOTIFY_TIMEOUT", t.AttemptTimeout, errors),
        };
    }

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1-based): doubling, capped, with half of it random so retries from many events spread out.</summary>
    public TimeSpan Delay(int attempt, double random)
    {
        var full = Math.Min(BackoffMax.TotalMilliseconds, BackoffInitial.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(full / 2 + (full / 2 * random));
    }
}

/// <summary>The outcome of delivering one notification.</summary>
internal enum Delivery
{
    Sent,
    GivenUp,
}

/// <summary>
/// POSTs one notification to one receiver, retrying failures (network errors, timeouts, 5xx, 408,
/// 429) with jittered backoff; another 4xx will not get better and is given up at once.
/// </summary>
internal sealed partial class NotificationSender : IDisposable
{
    public const string SignatureHeader = "X-Admission-Signature-256";
    public const string DeliveryHeader = "X-Admission-Delivery";
    public const string EventHeader = "X-Admission-Event";

    private readonly Receiver _receiver;
    private readonly NotificationTimings _timings;
    private readonly HttpClient _http;
    private readonly ILogger _logger;

    public NotificationSender(Receiver receiver, NotificationTimings timings, ILogger logger)
    {
        _receiver = receiver;
        _timings = timings;
        _logger = logger;
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false };
        if (receiver.CaPem is { } pem)
        {
            // Trust exactly the CA the configuration names (a receiver inside the company).
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(pem);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null) return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return chain.Build(leaf) && (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) == 0;
            };
        }
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>HMAC-SHA256 of the body with the receiver's secret, as sent in <see cref="SignatureHeader"/>.</summary>
    public static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret), body));

    public async Task<Delivery> DeliverAsync(string deliveryId, string eventName, byte[] body, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            var retry = true;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(_timings.AttemptTimeout);
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, _receiver.Url) { Content = new ByteArrayContent(body) };
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                    if (_receiver.Type == ReceiverType.Webhook)
                    {
                        request.Headers.Add(DeliveryHeader, deliveryId);
                        request.Headers.Add(EventHeader, eventName);
                        if (_receiver.Secret is { } secret) request.Headers.Add(SignatureHeader, Sign(secret, body));
                    }
                    using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        AdmissionMetrics.NotificationsSent.WithLabels(_receiver.Name).Inc();
                        LogSent(_logger, _receiver.Name, deliveryId, attempt);
                        return Delivery.Sent;
                    }
                    var code = (int)response.StatusCode;
                    failure = $"HTTP {code}";
                    retry = code >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = $"no answer within {_timings.AttemptTimeout.TotalSeconds:0.#}s";
                }
                catch (HttpRequestException e)
                {
                    failure = e.Message;
                }
            }
            AdmissionMetrics.NotificationAttemptsFailed.WithLabels(_receiver.Name).Inc();
            if (!retry || attempt >= _timings.MaxAttempts)
            {
                AdmissionMetrics.NotificationsDropped.WithLabels(_receiver.Name).Inc();
                LogGaveUp(_logger, _receiver.Name, deliveryId, attempt, failure);
                return Delivery.GivenUp;
            }
            var delay = _timings.Delay(attempt, Random.Shared.NextDouble());
            LogRetrying(_logger, _receiver.Name, deliveryId, attempt, failure, delay.TotalSeconds);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "notification {Delivery} sent to {Receiver} (attempt {Attempt})")]
    private static partial void LogSent(ILogger logger, string receiver, string delivery, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "notification {Delivery} to {Receiver} failed (attempt {Attempt}: {Failure}); retrying in {DelaySeconds:0.##}s")]
    private static partial void LogRetrying(ILogger logger, string receiver, string delivery, int attempt, string failure, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "notification {Delivery} to {Receiver} gave up after {Attempt} attempts: {Failure}")]
    private static partial void LogGaveUp(ILogger logger, string receiver, string delivery, int attempt, string failure);
}
