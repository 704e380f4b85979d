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
    private volatile X509Certificate2? _current;
    private X509Certificate2? _previous;

    public X509Certificate2? Current => _current;

    public DateTimeOffset NotAfter => _current is { } c ? new DateTimeOffset(c.NotAfter.ToUniversalTime()) : DateTimeOffset.MinValue;

    public void Set(X509Certificate2 certificate)
    {
        X509Certificate2? retired;
        lock (_swap)
        {
            // The certificate just replaced may be in a handshake that read it a moment ago, so it
            // lives until the next swap (hours or days later); the one before it is freed now.
            retired = _previous;
            _previous = _current;
            _current = certificate;
        }
        if (!ReferenceEquals(retired, certificate) && !ReferenceEquals(retired, _previous)) retired?.Dispose();
        AdmissionMetrics.CertificateExpiry.Set(NotAfter.ToUnixTimeSeconds());
    }
}
