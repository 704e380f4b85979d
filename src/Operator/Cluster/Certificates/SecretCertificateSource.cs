using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Admission.Kubernetes;
using Admission.Operator.Tls;
using k8s;

namespace Admission.Operator.Cluster;

/// <summary>The Secret, by name, among its namespace's Secrets.</summary>
internal sealed class SecretListWatch(IKubernetes client, ClusterSettings settings) : IListWatchSource
{
    private readonly string _ns = settings.Namespace;
    private readonly string _name = settings.CertSecret ?? throw new ArgumentException("'self' certificates need a Secret", nameof(settings));

    public string Name => $"Secret {_ns}/{_name}";

    public async Task<ListResult> ListAsync(CancellationToken cancellationToken)
    {
        using var response = await client.CoreV1.ListNamespacedSecretWithHttpMessagesAsync(_ns, fieldSelector: "metadata.name=" + _name,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return KubeJson.ToListResult(KubeJson.ToElement(response.Body));
    }

    public IAsyncEnumerable<WatchEvent> WatchAsync(string resourceVersion, CancellationToken cancellationToken) =>
        KubeJson.WatchAsync(ct => client.CoreV1.ListNamespacedSecretWithHttpMessagesAsync(_ns, fieldSelector: "metadata.name=" + _name,
            allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: KubeJson.WatchTimeoutSeconds(), watch: true,
            cancellationToken: ct), cancellationToken);
}

/// <summary>
/// The certificate source of 'self' mode, on every replica: follows the Secret the leader keeps
/// and swaps its certificate into the store.
/// </summary>
internal sealed partial class SecretCertificateSource(
    [FromKeyedServices(ListWatchKeys.CertificateSecret)] IListWatchSource source, ClusterSettings settings, CertificateStore store,
    ClusterTimings timings, TimeProvider clock, ILogger<SecretCertificateSource> logger)
    : BackgroundService, IListWatchSink, ICertificateSource
{
    private readonly string _secretName = settings.CertSecret ?? throw new ArgumentException("'self' certificates need a Secret", nameof(settings));

    private string? _fingerprint;
    private volatile CertificateHealth _health = CertificateHealth.Good;

    public string Description => $"{source.Name}";

    public CertificateHealth Health => _health;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        new ListWatchLoop(source, this, timings.WatchIdleTimeout, new Backoff(timings.BackoffInitial, timings.BackoffMax), clock, logger)
            .RunAsync(stoppingToken);

    public void Replace(IReadOnlyList<JsonElement> items)
    {
        foreach (var item in items) Apply(WatchEventKind.Added, item);
    }

    public void Apply(WatchEventKind kind, JsonElement obj)
    {
        if (kind == WatchEventKind.Deleted) return; // keep serving the last certificate; the leader recreates the Secret
        if (ObjectFields.Name(obj) != _secretName) return;
        if (!obj.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object) return;
        var cert = Decode(data, SelfCertificates.TlsCert);
        var key = Decode(data, SelfCertificates.TlsKey);
        if (cert is null || key is null) return;
        var fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(cert + key)));
        if (fingerprint == _fingerprint) return;
        try
        {
            using var pem = X509Certificate2.CreateFromPem(cert, key);
            store.Set(X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null));
            _fingerprint = fingerprint;
            _health = CertificateHealth.Good;
            LogLoaded(logger, _secretName, store.NotAfter);
        }
        catch (CryptographicException e)
        {
            _health = new CertificateHealth(e.Message, clock.GetUtcNow());
            LogBroken(logger, _secretName, e.Message);
        }
    }

    public void Contact()
    {
        if (_health.LastError?.StartsWith("cannot read the Secret", StringComparison.Ordinal) == true) _health = CertificateHealth.Good;
    }

    public void Failed(string error) => _health = new CertificateHealth("cannot read the Secret: " + error, clock.GetUtcNow());

    private static string? Decode(JsonElement data, string key) =>
        data.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetString(Convert.FromBase64String(v.GetString()!)) : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "serving certificate loaded from Secret {Secret}, expires {NotAfter}")]
    private static partial void LogLoaded(ILogger logger, string secret, DateTimeOffset notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Secret {Secret} holds no usable certificate, keeping the current one: {Error}")]
    private static partial void LogBroken(ILogger logger, string secret, string error);
}
