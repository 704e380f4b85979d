using System.Net;
using System.Security.Authentication;
using Admission.Operator.Local;
using Admission.Operator.Observability;
using Admission.Operator.PolicyReload;
using Admission.Operator.State;
using Admission.Operator.Tls;
using Admission.Operator.Webhook;
using Admission.Policies;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Prometheus;

namespace Admission.Operator.Hosting;

/// <summary>Wires the webhook: Kestrel over HTTPS, the state source, the endpoints.</summary>
public static class WebhookHost
{
    /// <summary>Every line serve writes goes through the host's logger, so each is one JSON object in JSON format.</summary>
    public const string Category = "Admission.Operator.Serve";

    public static WebApplication Build(ServeOptions options, AdmissionPolicy policy) => Build(options, new PolicySource(policy));

    /// <param name="policies">The policy in force; with a file, reloaded when the file changes.</param>
    public static WebApplication Build(ServeOptions options, PolicySource policies)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (options.LogFormat == "json")
        {
            // RFC 3339 in UTC; the formatter writes each entry as one line.
            builder.Logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.IncludeScopes = true; // the review uid of a line written while deciding
                o.TimestampFormat = StartupLog.TimestampFormat;
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Encoder = StartupLog.Encoder };
            });
        }
        else
        {
            // The trailing space separates the timestamp from the level in the text line.
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.IncludeScopes = true; o.UseUtcTimestamp = true; o.TimestampFormat = StartupLog.TimestampFormat + " "; });
        }
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.DrainDelay + ServeOptions.InFlightGrace);
        builder.Services.AddSingleton(sp => new ShutdownDrain(options.DrainDelay, sp.GetRequiredService<ILogger<ShutdownDrain>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ShutdownDrain>());

        var certificates = new CertificateStore();
        builder.Services.AddSingleton(certificates);
        builder.Services.AddSingleton(policies);
        // The operator's status and notification work reads the policy the process started with.
        builder.Services.AddSingleton(policies.Current.Policy);
        builder.Services.AddSingleton(TimeProvider.System);
        if (policies.File is not null)
        {
            builder.Services.AddHostedService(sp => new PolicyFileReloader(policies, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PolicyFileReloader>>()));
        }
        // Disposed with the app, after the server has stopped, so lines of the last requests are written.
        builder.Services.AddSingleton(sp => Observability.DecisionLog.ForStandardOutput(options.LogFormat, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new ReviewHandler(policies, sp.GetRequiredService<IApprovalState>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ReviewHandler>>(), sp.GetService<DecisionLog>(), sp.GetService<Access.IAccessReviewer>(),
            sp.GetService<BreakGlass.IBreakGlassLedger>(), sp.GetService<BreakGlass.OperatorIdentity>()));
        var notes = new List<string>();
        ConfigureTls(builder, options, certificates, notes);
        ConfigureState(builder, options);

        var limits = options.Limits;
        ReviewConcurrency.Add(builder.Services, limits);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = ValidateEndpoint.MaxBodyBytes;
            ApplyLimits(kestrel.Limits, limits);
            var endpoint = ListenEndpoint(options.Listen);
            kestrel.Listen(endpoint, listen => listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = _ => ValueTask.FromResult(new System.Net.Security.SslServerAuthenticationOptions
                {
                    ServerCertificate = certificates.Current,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                }),
            }));
        });

        var app = builder.Build();
        app.UseRateLimiter();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        foreach (var note in notes)
        {
            log.LogInformation("{Note}", note);
        }
        app.MapValidate();
        app.MapHealth();
        app.MapMetrics("/metrics");
        ReadinessMetric.Register(app.Services);
        policies.Publish();
        return app;
    }

    /// <summary>The limits of <see cref="WebhookLimits"/> on Kestrel; docs/operating.md explains each value.</summary>
    internal static void ApplyLimits(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerLimits k, WebhookLimits limits)
    {
        k.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalSize;
        k.MaxRequestHeaderCount = limits.MaxRequestHeaderCount;
        k.MaxRequestLineSize = limits.MaxRequestLineSize;
        k.KeepAliveTimeout = limits.KeepAliveTimeout;
        k.RequestHeadersTimeout = limits.RequestHeadersTimeout;
        k.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(limits.MinDataBytesPerSecond, limits.MinDataRateGrace);
        k.MinResponseDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(limits.MinDataBytesPerSecond, limits.MinDataRateGrace);
        k.Http2.MaxStreamsPerConnection = limits.Http2MaxStreamsPerConnection;
        k.Http2.MaxRequestHeaderFieldSize = limits.MaxRequestHeadersTotalSize;
    }

    private static void ConfigureTls(WebApplicationBuilder builder, ServeOptions options, CertificateStore store, List<string> notes)
    {
        string cert, key;
        if (options.TlsCert is not null && options.TlsKey is not null)
        {
            (cert, key) = (options.TlsCert, options.TlsKey);
        }
        else if (options.CertSecret is not null)
        {
            return; // cluster 'self' mode: the certificate comes from a Secret, see Cluster/
        }
        else
        {
            var files = new TlsDirectory.Files(options.TlsDir);
            var names = new List<string> { "localhost", "127.0.0.1" };
            names.AddRange(options.DnsNames);
            var created = StartupFiles.EnsureTlsDir(files, names, DateTimeOffset.UtcNow);
            notes.Add($"{(created ? "created" : "reusing")} serving certificate for {string.Join(", ", names)}; CA certificate: {Path.GetFullPath(files.CaCert)}");
            (cert, key) = (files.Cert, files.Key);
        }
        builder.Services.AddSingleton(sp =>
        {
            var source = new FileCertificateSource(cert, key, store, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<FileCertificateSource>>());
            source.LoadInitial();
            return source;
        });
        builder.Services.AddSingleton<ICertificateSource>(sp => sp.GetRequiredService<FileCertificateSource>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FileCertificateSource>());
    }

    private static void ConfigureState(WebApplicationBuilder builder, ServeOptions options)
    {
        if (options.LocalMode)
        {
            builder.Services.AddSingleton(sp =>
            {
                var store = new LocalApprovalStore(options.Approvals, sp.GetRequiredService<ILogger<LocalApprovalStore>>());
                store.LoadInitial();
                return store;
            });
            builder.Services.AddSingleton<IApprovalState>(sp => sp.GetRequiredService<LocalApprovalStore>());
            builder.Services.AddHostedService(sp => sp.GetRequiredService<LocalApprovalStore>());
            return;
        }
        Cluster.ClusterServices.Add(builder, options);
    }

    public static IPEndPoint ListenEndpoint(Uri listen)
    {
        if (listen.Scheme != Uri.UriSchemeHttps)
        {
            throw new Policies.InputException([new Policies.InputError("--listen", null, "", $"\"{listen}\" must be an https:// URL")]);
        }
        var port = listen.IsDefaultPort ? 443 : listen.Port;
        if (listen.Host is "localhost") return new IPEndPoint(IPAddress.Loopback, port);
        if (IPAddress.TryParse(listen.Host.Trim('[', ']'), out var ip)) return new IPEndPoint(ip, port);
        throw new Policies.InputException([new Policies.InputError("--listen", null, "", $"host \"{listen.Host}\" must be an IP address or localhost")]);
    }
}
