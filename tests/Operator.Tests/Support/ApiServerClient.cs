using Admission.Tests.Shared;

namespace Admission.Operator.Tests.Support;

/// <summary>
/// HTTP clients that verify the webhook's certificate the way kube-apiserver does with a
/// webhook's caBundle: the chain must end at one of the given CAs (and only those; the system
/// store is not consulted) and the certificate must be valid for the host name dialled.
/// </summary>
public sealed class ApiServerClient
{
    private readonly X509Certificate2Collection _roots;

    public ApiServerClient(params X509Certificate2[] roots)
    {
        _roots = [.. roots];
    }

    public static ApiServerClient TrustingCaFile(string caFile) =>
        new(X509CertificateLoader.LoadCertificateFromFile(caFile));

    /// <summary>Thumbprints of every server certificate this client has accepted, in order.</summary>
    public ConcurrentQueue<string> SeenThumbprints { get; } = new();

    /// <summary>Every validation that failed, with the reason (for assertion messages).</summary>
    public ConcurrentQueue<string> Rejections { get; } = new();

    /// <summary>
    /// A client for <paramref name="baseAddress"/>. With <paramref name="dialAddress"/>, TCP goes
    /// there whatever the URL's host, so that a DNS name in the URL (and in TLS SNI and host name
    /// checks) can be tested without a resolver.
    /// </summary>
    public HttpClient Create(Uri baseAddress, IPEndPoint? dialAddress = null, bool pooled = true)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Validate },
            PooledConnectionLifetime = pooled ? TimeSpan.FromMinutes(5) : TimeSpan.Zero,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (dialAddress is not null)
        {
            handler.ConnectCallback = (_, ct) => SocketConnect.ConnectAsync(dialAddress, ct);
        }
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            Rejections.Enqueue("no certificate");
            return false;
        }
        var host = (sender as SslStream)?.TargetHostName ?? "";
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        // The platform checks the name against the URL's host; check it here as well so that a
        // name mismatch can never be hidden by the custom chain logic below.
        if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0 ||
            !leaf.MatchesHostname(host, allowWildcards: false, allowCommonName: false))
        {
            Rejections.Enqueue($"certificate {leaf.Subject} is not valid for host \"{host}\" ({errors})");
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (!chain.Build(leaf))
        {
            Rejections.Enqueue($"certificate {leaf.Subject} does not chain to a trusted CA: " +
                string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim())));
            return false;
        }
        SeenThumbprints.Enqueue(leaf.Thumbprint);
        return true;
    }
}
