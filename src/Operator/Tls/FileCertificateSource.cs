using System.Security.Cryptography;

namespace Admission.Operator.Tls;

/// <summary>
/// The certificate source of PEM files: watches a certificate and key on disk and swaps them into
/// the store when both load. Polling,
/// not inotify: Kubernetes updates mounted Secrets by swapping a symlink, which file watchers miss.
/// A half-written pair fails to load and is retried on the next tick, the old one staying in force.
/// </summary>
public sealed partial class FileCertificateSource(string certFile, string keyFile, CertificateStore store, TimeProvider clock, ILogger<FileCertificateSource> logger)
    : BackgroundService, ICertificateSource
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private string? _fingerprint;
    private volatile CertificateHealth _health = CertificateHealth.Good;

    public string Description => $"files {certFile} and {keyFile}";

    public CertificateHealth Health => _health;

    /// <summary>Loads once, throwing on failure: the process must not start without a certificate.</summary>
    public void LoadInitial()
    {
        _fingerprint = Fingerprint();
        store.Set(PemCertificateLoader.Load(certFile, keyFile));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var timer = new PeriodicTimer(Interval);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    var fingerprint = Fingerprint();
                    if (fingerprint == _fingerprint) continue;
                    store.Set(PemCertificateLoader.Load(certFile, keyFile));
                    _fingerprint = fingerprint;
                    _health = CertificateHealth.Good;
                    LogReloaded(logger, certFile, store.NotAfter);
                }
                catch (Exception e) when (e is IOException or CryptographicException or UnauthorizedAccessException or ArgumentException)
                {
                    Observability.CertificateMetrics.ReloadErrors.Inc();
                    _health = new CertificateHealth(e.Message, clock.GetUtcNow());
                    LogReloadFailed(logger, certFile, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping, or a start that failed before the host could stop us: nothing to report.
        }
    }

    private string Fingerprint()
    {
        var bytes = File.ReadAllBytes(certFile).Concat(File.ReadAllBytes(keyFile)).ToArray();
        return Convert.ToHexString(SHA256.HashData(bytes));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "serving certificate reloaded from {File}, expires {NotAfter}")]
    private static partial void LogReloaded(ILogger logger, string file, DateTimeOffset notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "serving certificate {File} could not be reloaded, keeping the current one: {Error}")]
    private static partial void LogReloadFailed(ILogger logger, string file, string error);
}
