using System.Security.Cryptography.X509Certificates;

namespace Admission.Operator.Tls;

internal static class PemCertificateLoader
{
    /// <summary>Loads a PEM pair; on Linux the ephemeral key works for SslStream as it is.</summary>
    public static X509Certificate2 Load(string certFile, string keyFile)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        // Re-import so the key is bound to the certificate independently of the files.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
