using Admission.Operator.State;
using Admission.Operator.Webhook;
using Admission.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Admission.Fuzz.Harness;

/// <summary>
/// The real <c>POST /validate</c> endpoint and <see cref="ReviewHandler"/>, hosted in-process on
/// a test server: bytes in, status and body out, with no sockets or TLS between, so a fuzzer
/// reaches thousands of reviews a second through the same code kube-apiserver's requests take.
/// </summary>
public sealed class InProcessWebhook : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _client;

    private InProcessWebhook(WebApplication app)
    {
        _app = app;
        _client = app.GetTestClient();
    }

    public static InProcessWebhook Start(AdmissionPolicy policy, DecisionSnapshot snapshot, DateTimeOffset now)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(policy);
        builder.Services.AddSingleton<IApprovalState>(new FixedState(snapshot));
        builder.Services.AddSingleton<TimeProvider>(new FixedClock(now));
        builder.Services.AddSingleton<ReviewHandler>();
        var app = builder.Build();
        app.MapValidate();
        app.StartAsync().GetAwaiter().GetResult();
        return new InProcessWebhook(app);
    }

    public (int Status, byte[] Body) Post(byte[] body, string contentType = "application/json")
    {
        using var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var response = _client.PostAsync(new Uri("/validate?timeout=10s", UriKind.Relative), content).GetAwaiter().GetResult();
        return ((int)response.StatusCode, response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult());
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
