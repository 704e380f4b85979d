namespace Admission.TestApiServer.Tests.Support;

/// <summary>
/// A test class whose every test gets a fresh test API server holding namespace <c>payments</c>,
/// stopped after it. A class that needs more at the start overrides <see cref="InitializeAsync"/>
/// and calls the base first.
/// </summary>
public abstract class PaymentsTest : IAsyncLifetime
{
    private protected TestApiServer _server = null!;

    public virtual async Task InitializeAsync()
    {
        _server = await Servers.StartAsync();
        _server.Seed(Servers.Namespace("payments"));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();
}
