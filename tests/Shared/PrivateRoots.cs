using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Admission.Tests.Shared;

/// <summary>
/// What the tests' TLS clients check instead of the machine's trust store: the served certificate
/// chains to one of the test's own CAs (no revocation lookups), and nothing but the chain was wrong
/// with it (a client that passes the handshake's errors also refuses a name mismatch).
/// </summary>
internal static class PrivateRoots
{
    public static bool Trusts(X509Certificate2Collection roots, X509Certificate? served, SslPolicyErrors errors = SslPolicyErrors.None)
    {
        if (served is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(served.GetRawCertData());
        return chain.Build(leaf);
    }

    public static bool Trusts(X509Certificate2 root, X509Certificate? served, SslPolicyErrors errors = SslPolicyErrors.None) =>
        Trusts([root], served, errors);
}
