namespace Admission.TestApiServer.Tests.Support;

/// <summary>
/// A test class for the stand-in's controllers: every test gets a fresh test API server started
/// with the class's options, holding namespace <c>payments</c> (with the class's labels), and a test
/// webhook for the server to call through admission; both stopped after it. A class that needs more
/// at the start overrides <see cref="InitializeAsync"/> and calls the base first.
/// </summary>
public abstract class ControllerTest(TestApiServerOptions options, IDictionary<string, string>? paymentsLabels = null) : IAsyncLifetime
{
    private protected TestApiServer _server = null!;
    private protected TestWebhook _webhook = null!;

    public virtual async Task InitializeAsync()
    {
        _server = await Servers.StartAsync(options);
        _server.Seed(Servers.Namespace("payments", paymentsLabels));
        _webhook = await TestWebhook.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _webhook.DisposeAsync();
        await _server.DisposeAsync();
    }
}
