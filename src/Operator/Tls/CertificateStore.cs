using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Admission.Operator.Observability;

namespace Admission.Operator.Tls;

/// <summary>
/// The serving certificate in force. Kestrel asks for it on every TLS handshake, so a swap takes
/// effect for new connections at once and never disturbs connections already open.
/// </summary>
public sealed class CertificateStore
{
    private readonly Lock _swap = new();
    private volatile Serving? _current;
    private X509Certificate2? _previous;

    /// <summary>A certificate and the TLS context built for it, swapped together.</summary>
    private sealed record Serving(X509Certificate2 Certificate, SslStreamCertificateContext Context);

    public X509Certificate2? Current => _current?.Certificate;

    /// <summary>
    /// What each handshake is given. Built once per certificate: handed a bare certificate instead,
    /// SslStream builds a context for every connection, an X.509 chain built against the machine's
    /// trust store each time (and on the first handshake of the process, on the path to ready).
    /// </summary>
    public SslStreamCertificateContext? CurrentContext => _current?.Context;

    public DateTimeOffset NotAfter => _current is { } c ? new DateTimeOffset(c.Certificate.NotAfter.ToUniversalTime()) : DateTimeOffset.MinValue;

    public void Set(X509Certificate2 certificate)
    {
        // Offline: the chain is what the machine holds; a handshake never waits on fetching an
        // intermediate named by the certificate, as SslStream's own context may.
        var serving = new Serving(certificate, SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true));
        X509Certificate2? retired;
        lock (_swap)
        {
            // The certificate just replaced may be in a handshake that read it a moment ago, so it
            // lives until the next swap (hours or days later); the one before it is freed now.
            retired = _previous;
            _previous = _current?.Certificate;
            _current = serving;
        }
        if (!ReferenceEquals(retired, certificate) && !ReferenceEquals(retired, _previous)) retired?.Dispose();
        AdmissionMetrics.CertificateExpiry.Set(NotAfter.ToUnixTimeSeconds());
    }
}
