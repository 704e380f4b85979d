using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Admission.Operator.Tls;

/// <summary>Issues a CA and serving certificates for the webhook (ECDSA P-256, like cert-manager's default).</summary>
public static class CertificateAuthority
{
    public static X509Certificate2 CreateCa(string commonName, DateTimeOffset now, TimeSpan validity)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddMinutes(-5), now + validity);
    }

    public static X509Certificate2 IssueServing(X509Certificate2 ca, IEnumerable<string> dnsNames, DateTimeOffset now, TimeSpan validity)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var names = dnsNames.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var request = new CertificateRequest($"CN={names.FirstOrDefault() ?? "admission"}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var ip)) san.AddIpAddress(ip);
            else san.AddDnsName(name);
        }
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var notAfter = now + validity < ca.NotAfter ? now + validity : new DateTimeOffset(ca.NotAfter.ToUniversalTime());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = request.Create(ca, now.AddMinutes(-5), notAfter, serial);
        return signed.CopyWithPrivateKey(key);
    }

    public static string CertificatePem(X509Certificate2 cert) => cert.ExportCertificatePem() + "\n";

    public static string KeyPem(X509Certificate2 cert) =>
        (cert.GetECDsaPrivateKey() ?? throw new InvalidOperationException("certificate has no EC private key")).ExportPkcs8PrivateKeyPem() + "\n";
}
