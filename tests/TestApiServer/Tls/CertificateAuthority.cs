namespace Admission.TestApiServer.Tls;

/// <summary>
/// A throwaway CA that issues serving certificates for loopback servers: the test API server's own,
/// and any test webhook that the API server must trust through a caBundle.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private readonly X509Certificate2 _ca;

    private CertificateAuthority(X509Certificate2 ca) => _ca = ca;

    public X509Certificate2 Certificate => _ca;

    /// <summary>The CA certificate in PEM, as a kubeconfig or a webhook caBundle carries it.</summary>
    public string CaPem => _ca.ExportCertificatePem();

    public static CertificateAuthority Create(string commonName = "admission-test-ca")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return new CertificateAuthority(request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(7)));
    }

    /// <summary>
    /// Issues a serving certificate with the given DNS names and IP addresses as SANs.
    /// The result carries its private key, ready for Kestrel.
    /// </summary>
    public X509Certificate2 IssueServerCertificate(params string[] names)
    {
        ArgumentOutOfRangeException.ThrowIfZero(names.Length);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, true, false));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var signed = request.Create(_ca, now.AddMinutes(-5), now.AddDays(6), serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        // SslStream on some platforms refuses ephemeral keys; a PKCS#12 round-trip makes the key persistable.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose() => _ca.Dispose();
}
