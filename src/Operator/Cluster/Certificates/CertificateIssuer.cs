using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Admission.Kubernetes;
using Admission.Operator.Tls;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Admission.Operator.Cluster;

/// <summary>
/// The leader: creates the CA and serving certificate when the Secret has none, renews each
/// when a third of its life is left, and keeps every webhook's caBundle equal to the Secret's
/// <c>ca.crt</c>. A new CA is added to the bundle beside the old one, which stays trusted until
/// it expires, so replicas that still serve the old certificate keep being trusted.
/// </summary>
internal sealed partial class CertificateIssuer(
    IKubernetes client, ClusterSettings settings, ClusterTimings timings, TimeProvider clock, ILogger<CertificateIssuer> logger) : ILeaderWork
{
    private readonly string _ns = settings.Namespace;
    private readonly string _secretName = settings.CertSecret ?? throw new ArgumentException("'self' certificates need a Secret", nameof(settings));
    private readonly string? _webhookConfiguration = settings.WebhookConfiguration;
    private readonly IReadOnlyList<string> _dnsNames = settings.ServingNames;

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
            secret = await client.CoreV1.ReadNamespacedSecretAsync(_secretName, _ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (ApiError.From(e).IsNotFound)
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
            LogNewCa(logger, _ns, _secretName, forced ? "renewal asked for" : secret is null ? "no Secret yet" : "the CA is due for renewal");
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
            !_dnsNames.All(n => serving.MatchesHostname(n, allowWildcards: false, allowCommonName: false)))
        {
            serving = CertificateAuthority.IssueServing(ca, _dnsNames, now, timings.ServingValidity);
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
                Metadata = new V1ObjectMeta { Name = _secretName, NamespaceProperty = _ns, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "admission" } },
                Type = "kubernetes.io/tls",
                Data = newData,
            }, _ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        else
        {
            secret.Data = newData;
            secret.Metadata.Annotations?.Remove(RenewAnnotation);
            await client.CoreV1.ReplaceNamespacedSecretAsync(secret, _secretName, _ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        LogIssued(logger, _ns, _secretName, serving.NotAfter.ToUniversalTime(), bundle.Count);
    }

    private async Task EnsureCaBundleAsync(string bundlePem, CancellationToken cancellationToken)
    {
        if (_webhookConfiguration is null) return;
        var wanted = Encoding.UTF8.GetBytes(bundlePem);
        V1ValidatingWebhookConfiguration config;
        try
        {
            config = await client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(_webhookConfiguration, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (ApiError.From(e).IsNotFound)
        {
            // Installed later (or by hand): the next check writes its caBundle.
            LogNoConfiguration(logger, _webhookConfiguration);
            return;
        }
        var stale = config.Webhooks?.Where(w => w.ClientConfig.CaBundle is null || !w.ClientConfig.CaBundle.SequenceEqual(wanted)).ToList() ?? [];
        if (stale.Count == 0) return;
        foreach (var webhook in stale) webhook.ClientConfig.CaBundle = wanted;
        await client.AdmissionregistrationV1.ReplaceValidatingWebhookConfigurationAsync(config, _webhookConfiguration, cancellationToken: cancellationToken).ConfigureAwait(false);
        LogBundle(logger, _webhookConfiguration, stale.Count);
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
