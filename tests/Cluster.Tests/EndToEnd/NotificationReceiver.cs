using Admission.Operator.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>One POST a receiver got: which hook, its headers, its body, and what it answered.</summary>
internal sealed record ReceivedPost(string Hook, IReadOnlyDictionary<string, string> Headers, byte[] Body, int Answered)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.GetValueOrDefault(name.ToLowerInvariant());
}

/// <summary>
/// A local HTTPS receiver with its own CA. Hooks behave by name: <c>/hook/flaky-*</c> answers 500
/// to the first three tries of each delivery, <c>/hook/dead-*</c> never answers, any other 200.
/// </summary>
internal sealed class NotificationReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _tries = new(StringComparer.Ordinal);

    private NotificationReceiver(WebApplication app, string caPem, int port)
    {
        _app = app;
        CaPem = caPem;
        Port = port;
    }

    public string CaPem { get; }

    public int Port { get; }

    public ConcurrentQueue<ReceivedPost> Posts { get; } = new();

    public string Url(string hook) => $"https://127.0.0.1:{Port}/hook/{hook}";

    public IReadOnlyList<ReceivedPost> To(string hook) => [.. Posts.Where(p => p.Hook == hook)];

    public static async Task<NotificationReceiver> StartAsync()
    {
        var now = DateTimeOffset.UtcNow;
        using var ca = CertificateAuthority.CreateCa("test receiver CA", now.AddMinutes(-5), TimeSpan.FromDays(1));
        var serving = CertificateAuthority.IssueServing(ca, ["127.0.0.1", "localhost"], now.AddMinutes(-5), TimeSpan.FromDays(1));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = serving })));
        var app = builder.Build();
        NotificationReceiver? self = null;
        app.MapPost("/hook/{hook}", async (string hook, HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
            if (hook.StartsWith("dead", StringComparison.Ordinal))
            {
                self!.Posts.Enqueue(new ReceivedPost(hook, headers, buffer.ToArray(), 0));
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            var answer = 200;
            if (hook.StartsWith("flaky", StringComparison.Ordinal))
            {
                var key = hook + " " + (headers.GetValueOrDefault("x-admission-delivery") ?? "");
                if (self!._tries.AddOrUpdate(key, 1, (_, n) => n + 1) <= 3) answer = 500;
            }
            self!.Posts.Enqueue(new ReceivedPost(hook, headers, buffer.ToArray(), answer));
            return Results.StatusCode(answer);
        });
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        self = new NotificationReceiver(app, CertificateAuthority.CertificatePem(ca), port);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            // the dead hook's requests are cut
        }
        await _app.DisposeAsync();
    }
}
