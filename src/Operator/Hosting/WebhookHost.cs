using System.Security.Authentication;
using Admission.Operator.Cluster;
using Admission.Operator.Local;
using Admission.Operator.Observability;
using Admission.Operator.PolicyReload;
using Admission.Operator.Tls;
using Admission.Operator.Webhook;
using Admission.Policies;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Prometheus;

namespace Admission.Operator.Hosting;

/// <summary>
/// Builds the webhook's host from bound <see cref="ServeOptions"/>: services registered by each
/// area's <c>AddXxx</c>, Kestrel over HTTPS with the webhook's limits, the endpoints.
/// </summary>
public static class WebhookHost
{
    /// <summary>Every line serve writes goes through the host's logger, so each is one JSON object in JSON format.</summary>
    public const string Category = "Admission.Operator.Serve";

    public static WebApplication Build(ServeOptions options, AdmissionPolicy policy) => Build(options, new PolicySource(policy));

    /// <param name="policies">The policy in force; with a file, reloaded when the file changes.</param>
    public static WebApplication Build(ServeOptions options, PolicySource policies)
    {
        RuntimeMetrics.Configure();
        var builder = WebApplication.CreateSlimBuilder(HostOptions);
        builder.Logging.AddServeLogging(options);
        var certificates = new CertificateStore();
        var notes = new List<string>();
        builder.Services
            .AddSingleton(options)
            .AddShutdownDrain(options)
            .AddPolicy(policies)
            .AddReviews(options)
            .AddServingCertificate(options, certificates, notes);
        if (options.LocalMode) builder.Services.AddLocalApprovals(options);
        else builder.Services.AddClusterMode(options);

        var limits = options.Limits;
        ReviewConcurrency.Add(builder.Services, limits);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = ValidateEndpoint.MaxBodyBytes;
            ApplyLimits(kestrel.Limits, limits);
            var endpoint = ListenAddress.Endpoint(options.Listen);
            kestrel.Listen(endpoint, listen => listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = _ => ValueTask.FromResult(new System.Net.Security.SslServerAuthenticationOptions
                {
                    ServerCertificateContext = certificates.CurrentContext,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                }),
            }));
        });

        var app = builder.Build();
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

    /// <summary>
    /// Serve's settings come from its flags and the environment, never from an appsettings.json in
    /// the folder it was started from: the content root is the program's own folder, and the host
    /// watches no configuration file (a reloadable one would put a recursive watch on that folder,
    /// a checkout's thousands of directories when run from one, while the approvals are read).
    /// </summary>
    private static WebApplicationOptions HostOptions => new()
    {
        ContentRootPath = AppContext.BaseDirectory,
        Args = ["--hostBuilder:reloadConfigOnChange=false"],
    };

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
}
