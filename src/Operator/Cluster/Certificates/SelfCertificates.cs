using System.Security.Cryptography.X509Certificates;
using Admission.Operator.Hosting;
using Admission.Operator.Tls;
using k8s;

namespace Admission.Operator.Cluster;

/// <summary>
/// 'self' certificates (<c>--cert-secret</c>): the leader keeps a CA and serving certificate in a
/// Secret and the CA bundle in the webhook configuration (<see cref="CertificateIssuer"/>); every
/// replica follows the Secret and serves its certificate, reloaded without restart
/// (<see cref="SecretCertificateSource"/>).
/// </summary>
internal static class SelfCertificates
{
    public const string CaCert = "ca.crt";
    public const string CaKey = "ca.key";
    public const string TlsCert = "tls.crt";
    public const string TlsKey = "tls.key";

    /// <summary>Takes the cluster's <see cref="ClusterSettings"/> and <see cref="ClusterTimings"/> (<see cref="ClusterServices"/>).</summary>
    public static IServiceCollection AddSelfCertificates(this IServiceCollection services, ServeOptions options)
    {
        services.AddKeyedSingleton<IListWatchSource, SecretListWatch>(ListWatchKeys.CertificateSecret);
        services.AddSingleton<SecretCertificateSource>();
        services.AddSingleton<ICertificateSource>(sp => sp.GetRequiredService<SecretCertificateSource>());
        services.AddHostedService(sp => sp.GetRequiredService<SecretCertificateSource>());
        if (!options.LeaderElection) return services;
        services.AddSingleton<ILeaderWork, CertificateIssuer>();
        return services;
    }

    public static IReadOnlyList<X509Certificate2> ReadBundle(string pem)
    {
        var certs = new X509Certificate2Collection();
        if (pem.Length > 0) certs.ImportFromPem(pem);
        return [.. certs];
    }
}
