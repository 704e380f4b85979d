namespace Admission.Operator.Tests.Support;

/// <summary>
/// <c>serve --tls-cert --tls-key</c> on PEM files written into <paramref name="dir"/> (under
/// <c>folder</c>), deciding against the example Namespace: what the certificate reload tests share.
/// </summary>
internal static class PemServe
{
    public static Task<ServeProcess> StartAsync(TempDir dir, X509Certificate2 leaf, X509Certificate2 ca, string folder = "")
    {
        string File(string name) => folder.Length == 0 ? name : folder + "/" + name;
        dir.Write(File("tls.crt"), CertificateAuthority.CertificatePem(leaf));
        dir.Write(File("tls.key"), CertificateAuthority.KeyPem(leaf));
        dir.Write(File("ca.crt"), CertificateAuthority.CertificatePem(ca));
        System.IO.File.Copy(Repo.Example("namespace.yaml"), dir.File("namespace.yaml"));
        return ServeProcess.StartAsync(new ServeSettings
        {
            Approvals = [dir.File("namespace.yaml")],
            TlsCert = dir.File(File("tls.crt")),
            TlsKey = dir.File(File("tls.key")),
            CaFile = dir.File(File("ca.crt")),
        });
    }
}
