using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Admission.TestApiServer.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Admission.TestApiServer.Tests.Support;

/// <summary>A tiny HTTPS admission webhook with its own CA: records every review and answers with <see cref="Respond"/>.</summary>
internal sealed class TestWebhook : IAsyncDisposable
{
    private readonly CertificateAuthority _ca;
    private readonly X509Certificate2 _certificate;
    private WebApplication? _app;

    private TestWebhook(CertificateAuthority ca, X509Certificate2 certificate)
    {
        _ca = ca;
        _certificate = certificate;
    }

    public ConcurrentQueue<JsonObject> Requests { get; } = new();

    /// <summary>From the AdmissionReview request to the response body (without uid, which is filled in).</summary>
    public Func<JsonObject, JsonObject> Respond { get; set; } = _ => Allow();

    public TimeSpan Delay { get; set; }

    public int Port { get; private set; }

    public string Url => $"https://127.0.0.1:{Port}/validate";

    public string CaBundle => Convert.ToBase64String(Encoding.UTF8.GetBytes(_ca.CaPem));

    public static async Task<TestWebhook> StartAsync(params string[] names)
    {
        var ca = CertificateAuthority.Create("test-webhook-ca");
        var webhook = new TestWebhook(ca, ca.IssueServerCertificate(names.Length > 0 ? names : ["127.0.0.1", "localhost"]));
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(webhook._certificate)));
        var app = builder.Build();
        app.Run(webhook.HandleAsync);
        await app.StartAsync();
        webhook._app = app;
        webhook.Port = new Uri(app.Urls.First()).Port;
        return webhook;
    }

    public static JsonObject Allow(params string[] warnings) => new()
    {
        ["allowed"] = true,
        ["warnings"] = new JsonArray(warnings.Select(w => (JsonNode)w).ToArray()),
    };

    public static JsonObject Deny(string message, int? code = 403, string? reason = null)
    {
        var status = new JsonObject { ["message"] = message };
        if (code is not null)
        {
            status["code"] = code;
        }

        if (reason is not null)
        {
            status["reason"] = reason;
        }

        return new JsonObject { ["allowed"] = false, ["status"] = status };
    }

    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _certificate.Dispose();
        _ca.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var review = (JsonObject)(await JsonNode.ParseAsync(context.Request.Body))!;
        var request = (JsonObject)review["request"]!;
        Requests.Enqueue(request);
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.RequestAborted);
        }

        var response = Respond(request);
        response["uid"] = request["uid"]!.ToString();
        var body = new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["response"] = response };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }
}
