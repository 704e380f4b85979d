using Admission.Operator.Hosting;

namespace Admission.Operator.Tls;

/// <summary>
/// Where the serving certificate comes from: the <c>--tls-cert</c>/<c>--tls-key</c> files, or
/// a CA and certificate generated into <c>--tls-dir</c>, each followed for changes. Cluster mode's
/// 'self' certificates (<c>--cert-secret</c>) are registered by <see cref="Cluster.ClusterServices"/>.
/// </summary>
internal static class ServingCertificateServices
{
    /// <param name="notes">Lines to log once the host's logger exists (what was generated, where).</param>
    public static IServiceCollection AddServingCertificate(this IServiceCollection services, ServeOptions options, CertificateStore store, List<string> notes)
    {
        services.AddSingleton(store);
        if (options.CertSecret is not null && options.TlsCert is null) return services;
        string cert, key;
        if (options.TlsCert is not null && options.TlsKey is not null)
        {
            (cert, key) = (options.TlsCert, options.TlsKey);
        }
        else
        {
            var files = new TlsDirectory.Files(options.TlsDir);
            var names = options.ServingNames;
            var created = StartupFiles.EnsureTlsDir(files, names, DateTimeOffset.UtcNow);
            notes.Add($"{(created ? "created" : "reusing")} serving certificate for {string.Join(", ", names)}; CA certificate: {Path.GetFullPath(files.CaCert)}");
            (cert, key) = (files.Cert, files.Key);
        }
        services.AddSingleton(sp =>
        {
            var source = new FileCertificateSource(cert, key, store, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<FileCertificateSource>>());
            source.LoadInitial();
            return source;
        });
        services.AddSingleton<ICertificateSource>(sp => sp.GetRequiredService<FileCertificateSource>());
        services.AddHostedService(sp => sp.GetRequiredService<FileCertificateSource>());
        return services;
    }
}
