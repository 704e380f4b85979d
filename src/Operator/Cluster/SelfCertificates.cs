using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Admission.Operator.Hosting;
using Admission.Operator.Tls;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Admission.Operator.Cluster;

/// <summary>
/// 'self' certificates (<c>--cert-secret</c>): the leader keeps a CA and serving certificate in a
/// Secret and the CA bundle in the webhook configuration; every replica follows the Secret and
/// serves its certificate, reloaded without restart.
/// </summary>
internal static class SelfCertificates
{
    public const string CaCert = "ca.crt";
    public const string CaKey = "ca.key";
    public const string TlsCert = "tls.crt";
    public const string TlsKey = "tls.key";

    public static void Add(WebApplicationBuilder builder, ServeOptions options, string ns, ClusterTimings timings)
    {
        var secret = options.CertSecret!;
        builder.Services.AddHostedService(sp =>
        {
            var client = sp.GetRequiredService<IKubernetes>();
            var logger = sp.GetRequiredService<ILogger<SecretCertificateFollower>>();
            return new SecretCertificateFollower(new SecretListWatch(client, ns, secret), secret, sp.GetRequiredService<CertificateStore>(),
                timings, sp.GetRequiredService<TimeProvider>(), logger);
        });
        if (!options.LeaderElection) return;
        var names = new List<string> { "localhost", "127.0.0.1" };
        names.AddRange(options.DnsNames);
        builder.Services.AddSingleton<ILeaderWork>(sp => new CertificateIssuer(
            sp.GetRequiredService<IKubernetes>(), ns, secret, options.WebhookConfiguration, names, timings,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CertificateIssuer>>()));
    }

    public static IReadOnlyList<X509Certificate2> ReadBundle(string pem)
    {
        var certs = new X509Certificate2Collection();
        if (pem.Length > 0) certs.ImportFromPem(pem);
        return [.. certs];
    }
}

/// <summary>The Secret, by name, among its namespace's Secrets.</summary>
internal sealed class SecretListWatch(IKubernetes client, string ns, string name) : IListWatchSource
{
    public string Name => $"Secret {ns}/{name}";

    public async Task<ListResult> ListAsync(CancellationToken cancellationToken)
    {
        using var response = await client.CoreV1.ListNamespacedSecretWithHttpMessagesAsync(ns, fieldSelector: "metadata.name=" + name,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return KubeJson.ToListResult(KubeJson.ToElement(response.Body));
    }

    public IAsyncEnumerable<WatchEvent> WatchAsync(string resourceVersion, CancellationToken cancellationToken) =>
        KubeJson.WatchAsync(ct => client.CoreV1.ListNamespacedSecretWithHttpMessagesAsync(ns, fieldSelector: "metadata.name=" + name,
            allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: KubeJson.WatchTimeoutSeconds(), watch: true,
            cancellationToken: ct), cancellationToken);
}

/// <summary>Every replica: follows the Secret and swaps its certificate into the store.</summary>
internal sealed partial class SecretCertificateFollower(
    IListWatchSource source, string secretName, CertificateStore store, ClusterTimings timings, TimeProvider clock, ILogger<SecretCertificateFollower> logger)
    : BackgroundService, IListWatchSink
{
    private string? _fingerprint;

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
        if (!obj.TryGetProperty("metadata", out var meta) || !meta.TryGetProperty("name", out var n) || n.GetString() != secretName) return;
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
            LogLoaded(logger, secretName, store.NotAfter);
        }
        catch (CryptographicException e)
        {
            LogBroken(logger, secretName, e.Message);
        }
    }

    public void Contact()
    {
    }

    public void Failed(string error)
    {
    }

    private static string? Decode(JsonElement data, string key) =>
        data.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetString(Convert.FromBase64String(v.GetString()!)) : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "serving certificate loaded from Secret {Secret}, expires {NotAfter}")]
    private static partial void LogLoaded(ILogger logger, string secret, DateTimeOffset notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Secret {Secret} holds no usable certificate, keeping the current one: {Error}")]
    private static partial void LogBroken(ILogger logger, string secret, string error);
}

/// <summary>
/// The leader: creates the CA and serving certificate when the Secret has none, renews each
/// when a third of its life is left, and keeps every webhook's caBundle equal to the Secret's
/// <c>ca.crt</c>. A new CA is added to the bundle beside the old one, which stays trusted until
/// it expires, so replicas that still serve the old certificate keep being trusted.
/// </summary>
internal sealed partial class CertificateIssuer(
    IKubernetes client, string ns, string secretName, string? webhookConfiguration, IReadOnlyList<string> dnsNames,
    ClusterTimings timings, TimeProvider clock, ILogger<CertificateIssuer> logger) : ILeaderWork
{
    /// <summary>Annotation on the Secret that asks for a new CA and serving certificate at once.</summary>
    public const string RenewAnnotation = "approvals.admission.dev/renew";

    public async Task RunAsync(CancellationToken leading)
    {
        while (!leading.IsCancellationRequested)
        {
            var delay = timings.CertificateCheckInterval;
            try
            {
                await ReconcileAsync(leading).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (leading.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, ListWatchLoop.Describe(e));
                delay = timings.RetryPeriod;
            }
            try
            {
                await Task.Delay(delay, clock, leading).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    internal async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        V1Secret? secret;
        try
        {
            secret = await client.CoreV1.ReadNamespacedSecretAsync(secretName, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            secret = null;
        }

        var data = secret?.Data ?? new Dictionary<string, byte[]>();
        var bundlePem = Text(data, SelfCertificates.CaCert);
        var caPem = Text(data, SelfCertificates.CaKey);
        var forced = secret?.Metadata?.Annotations?.ContainsKey(RenewAnnotation) == true;
        X509Certificate2? ca = null;
        try
        {
            if (SelfCertificates.ReadBundle(bundlePem) is [var firstCa, ..] && caPem.Length > 0)
            {
                ca = X509Certificate2.CreateFromPem(firstCa.ExportCertificatePem(), caPem);
            }
        }
        catch (CryptographicException)
        {
            ca = null;
        }

        var changed = false;
        var bundle = SelfCertificates.ReadBundle(bundlePem).Where(c => c.NotAfter.ToUniversalTime() > now.UtcDateTime).ToList();
        if (ca is null || forced || DueForRenewal(ca, now))
        {
            ca = CertificateAuthority.CreateCa("admission-webhook-ca", now, timings.CaValidity);
            // The new CA first; the one it replaces stays trusted beside it, older ones go.
            bundle = [ca, .. bundle.Take(1)];
            LogNewCa(logger, ns, secretName, forced ? "renewal asked for" : secret is null ? "no Secret yet" : "the CA is due for renewal");
            changed = true;
        }
        var newBundlePem = string.Concat(bundle.Select(CertificateAuthority.CertificatePem));
        if (newBundlePem != bundlePem) changed = true;

        X509Certificate2? serving = null;
        try
        {
            var cert = Text(data, SelfCertificates.TlsCert);
            var key = Text(data, SelfCertificates.TlsKey);
            if (cert.Length > 0 && key.Length > 0) serving = X509Certificate2.CreateFromPem(cert, key);
        }
        catch (CryptographicException)
        {
            serving = null;
        }
        if (changed || serving is null || DueForRenewal(serving, now) || serving.Issuer != ca.Subject ||
            !dnsNames.All(n => serving.MatchesHostname(n, allowWildcards: false, allowCommonName: false)))
        {
            serving = CertificateAuthority.IssueServing(ca, dnsNames, now, timings.ServingValidity);
            changed = true;
        }

        // The bundle goes out first: whichever certificate a replica serves meanwhile is trusted.
        await EnsureCaBundleAsync(newBundlePem, cancellationToken).ConfigureAwait(false);
        if (!changed) return;

        var newData = new Dictionary<string, byte[]>
        {
            [SelfCertificates.CaCert] = Encoding.UTF8.GetBytes(newBundlePem),
            [SelfCertificates.CaKey] = Encoding.UTF8.GetBytes(CertificateAuthority.KeyPem(ca)),
            [SelfCertificates.TlsCert] = Encoding.UTF8.GetBytes(CertificateAuthority.CertificatePem(serving)),
            [SelfCertificates.TlsKey] = Encoding.UTF8.GetBytes(CertificateAuthority.KeyPem(serving)),
        };
        if (secret is null)
        {
            await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = secretName, NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "admission" } },
                Type = "kubernetes.io/tls",
                Data = newData,
            }, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        else
        {
            secret.Data = newData;
            secret.Metadata.Annotations?.Remove(RenewAnnotation);
            await client.CoreV1.ReplaceNamespacedSecretAsync(secret, secretName, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        LogIssued(logger, ns, secretName, serving.NotAfter.ToUniversalTime(), bundle.Count);
    }

    private async Task EnsureCaBundleAsync(string bundlePem, CancellationToken cancellationToken)
    {
        if (webhookConfiguration is null) return;
        var wanted = Encoding.UTF8.GetBytes(bundlePem);
        V1ValidatingWebhookConfiguration config;
        try
        {
            config = await client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(webhookConfiguration, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Installed later (or by hand): the next check writes its caBundle.
            LogNoConfiguration(logger, webhookConfiguration);
            return;
        }
        var stale = config.Webhooks?.Where(w => w.ClientConfig.CaBundle is null || !w.ClientConfig.CaBundle.SequenceEqual(wanted)).ToList() ?? [];
        if (stale.Count == 0) return;
        foreach (var webhook in stale) webhook.ClientConfig.CaBundle = wanted;
        await client.AdmissionregistrationV1.ReplaceValidatingWebhookConfigurationAsync(config, webhookConfiguration, cancellationToken: cancellationToken).ConfigureAwait(false);
        LogBundle(logger, webhookConfiguration, stale.Count);
    }

    private bool DueForRenewal(X509Certificate2 cert, DateTimeOffset now)
    {
        var notBefore = new DateTimeOffset(cert.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(cert.NotAfter.ToUniversalTime());
        return now >= notAfter - ((notAfter - notBefore) / 3);
    }

    private static string Text(IDictionary<string, byte[]> data, string key) =>
        data.TryGetValue(key, out var bytes) && bytes is not null ? Encoding.UTF8.GetString(bytes) : "";

    [LoggerMessage(Level = LogLevel.Information, Message = "certificates: new CA for Secret {Namespace}/{Secret}: {Why}")]
    private static partial void LogNewCa(ILogger logger, string @namespace, string secret, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "certificates: Secret {Namespace}/{Secret} written, serving certificate expires {NotAfter}, {Cas} CA(s) trusted")]
    private static partial void LogIssued(ILogger logger, string @namespace, string secret, DateTime notAfter, int cas);

    [LoggerMessage(Level = LogLevel.Information, Message = "certificates: caBundle of {Configuration} updated on {Count} webhook(s)")]
    private static partial void LogBundle(ILogger logger, string configuration, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "certificates: ValidatingWebhookConfiguration {Configuration} does not exist (yet); its caBundle is set once it does")]
    private static partial void LogNoConfiguration(ILogger logger, string configuration);

    [LoggerMessage(Level = LogLevel.Warning, Message = "certificates: {Error}")]
    private static partial void LogFailed(ILogger logger, string error);
}
