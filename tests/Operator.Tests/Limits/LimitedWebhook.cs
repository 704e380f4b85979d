using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Admission.Operator.Tests.Limits;

/// <summary>
/// <c>admission serve</c>'s host (WebhookHost.Build, local mode, generated certificates) in this
/// process on a real loopback port over HTTPS, with limits a test may shorten, and raw TLS
/// connections for clients HttpClient will not imitate (slow, oversized, idle, HTTP/2 frames).
/// </summary>
public sealed class LimitedWebhook : IAsyncDisposable
{
    private readonly TempDir _dir;
    private readonly WebApplication _app;

    private LimitedWebhook(TempDir dir, WebApplication app, int port, WebhookLimits limits)
    {
        _dir = dir;
        _app = app;
        Port = port;
        Limits = limits;
        CaFile = dir.File("tls/ca.crt");
    }

    public int Port { get; }
    public string CaFile { get; }
    public WebhookLimits Limits { get; }
    public IServiceProvider Services => _app.Services;

    public static async Task<LimitedWebhook> StartAsync(WebhookLimits? limits = null)
    {
        limits ??= WebhookLimits.Default;
        var dir = new TempDir("admission-limits-");
        dir.Write("approvals/namespace.yaml", File.ReadAllText(Repo.Example("namespace.yaml")));
        var port = FreePort();
        var options = new ServeOptions
        {
            Listen = new Uri($"https://127.0.0.1:{port}"),
            Approvals = [dir.File("approvals")],
            TlsDir = dir.File("tls"),
            Limits = limits,
        };
        var app = WebhookHost.Build(options, AdmissionPolicy.Default);
        await app.StartAsync();
        // The files are read beside Kestrel's start: a limit test wants the webhook as it serves once ready.
        var state = app.Services.GetRequiredService<IApprovalState>();
        await Admission.Tests.Shared.Polling.UntilAsync(() => state.Readiness.Ready, TimeSpan.FromSeconds(30), "the approval files indexed", () => state.Readiness.Detail);
        return new LimitedWebhook(dir, app, port, limits);
    }

    public HttpClient CreateClient() => ApiServerClient.TrustingCaFile(CaFile).Create(new Uri($"https://127.0.0.1:{Port}/"));

    /// <summary>A TLS connection with nothing sent yet; <paramref name="alpn"/> "h2" for HTTP/2.</summary>
    public async Task<SslStream> ConnectAsync(string alpn = "http/1.1")
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, Port);
        var trust = ApiServerClient.TrustingCaFile(CaFile);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            RemoteCertificateValidationCallback = trust.Validate,
            ApplicationProtocols = [new SslApplicationProtocol(alpn)],
        });
        return tls;
    }

    public static byte[] ReviewBody() => Encoding.UTF8.GetBytes(Review.Example("deployment-create").ToJson());

    public static string Head(int contentLength, string path = "/validate?timeout=10s", string extra = "") =>
        $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {contentLength}\r\n{extra}\r\n";

    /// <summary>Reads until the server closes the connection or the deadline passes; what arrived, and whether it closed.</summary>
    public static async Task<(string Text, bool Closed)> ReadUntilClosedAsync(Stream stream, TimeSpan deadline)
    {
        var received = new MemoryStream();
        var buffer = new byte[8192];
        using var cts = new CancellationTokenSource(deadline);
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer, cts.Token);
                if (n == 0) return (Encoding.UTF8.GetString(received.ToArray()), true);
                received.Write(buffer, 0, n);
            }
        }
        catch (OperationCanceledException)
        {
            return (Encoding.UTF8.GetString(received.ToArray()), false);
        }
        catch (IOException)
        {
            return (Encoding.UTF8.GetString(received.ToArray()), true);
        }
    }

    /// <summary>Reads one HTTP/1.1 response with a Content-Length (the webhook always sends one or closes).</summary>
    public static async Task<(int Status, string Head, string Body)> ReadResponseAsync(Stream stream, TimeSpan deadline)
    {
        var received = new List<byte>();
        var buffer = new byte[8192];
        using var cts = new CancellationTokenSource(deadline);
        while (true)
        {
            var text = Encoding.UTF8.GetString([.. received]);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var head = text[..end];
                var length = head.Split("\r\n").FirstOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                var body = text[(end + 4)..];
                var status = int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                if (length is not null && Encoding.UTF8.GetByteCount(body) >= int.Parse(length["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture))
                    return (status, head, body);
                if (head.Contains("chunked", StringComparison.OrdinalIgnoreCase) && body.EndsWith("0\r\n\r\n", StringComparison.Ordinal))
                    return (status, head, body);
            }
            var n = await stream.ReadAsync(buffer, cts.Token);
            if (n == 0)
            {
                if (end >= 0) return (int.Parse(text.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), text[..end], text[(end + 4)..]);
                throw new IOException("closed before a response: " + text);
            }
            received.AddRange(buffer.AsSpan(0, n).ToArray());
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _dir.Dispose();
    }
}
