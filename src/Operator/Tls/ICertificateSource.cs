namespace Admission.Operator.Tls;

/// <summary>
/// Where the serving certificate comes from, as cert-manager's <c>pkg/server/tls</c> puts each
/// source behind one interface: PEM files (given with <c>--tls-cert</c>/<c>--tls-key</c>, or the
/// pair generated into <c>--tls-dir</c>), or a Secret the leader keeps (<c>--cert-secret</c>, the
/// chart's <c>self</c> mode). A source loads certificates into the <see cref="CertificateStore"/>
/// that Kestrel reads on each handshake and reports its health, which <c>/readyz</c> shows.
/// </summary>
public interface ICertificateSource
{
    /// <summary>What the certificate is read from, for people: <c>files /tls/tls.crt and /tls/tls.key</c>.</summary>
    string Description { get; }

    CertificateHealth Health { get; }
}

/// <summary>The last load that failed, kept until one succeeds; the certificate in force stays served meanwhile.</summary>
public sealed record CertificateHealth(string? LastError, DateTimeOffset? LastErrorAt)
{
    public static readonly CertificateHealth Good = new(null, null);
}
