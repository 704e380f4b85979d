using System.Security.Cryptography.X509Certificates;
using Admission.Operator.Observability;

namespace Admission.Operator.Tls;

/// <summary>
/// The serving certificate in force. Kestrel asks for it on every TLS handshake, so a swap takes
/// effect for new connections at once and never disturbs connections already open.
/// </summary>
public sealed class CertificateStore
{
    private volatile X509Certificate2? _current;

    public X509Certificate2? Current => _current;

    public DateTimeOffset NotAfter => _current is { } c ? new DateTimeOffset(c.NotAfter.ToUniversalTime()) : DateTimeOffset.MinValue;

    public void Set(X509Certificate2 certificate)
    {
        _current = certificate;
        AdmissionMetrics.CertificateExpiry.Set(NotAfter.ToUnixTimeSeconds());
    }
}
