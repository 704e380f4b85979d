using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Admission.TestApiServer;

/// <summary>Listening, stopping, and the faults tests switch on.</summary>
public sealed partial class TestApiServer
{
    /// <summary>Forgets all history: open watches get a 410 Gone ERROR event and end; watches from older resourceVersions get 410.</summary>
    public void ExpireResourceVersions() => _state.Store.ExpireAll();

    /// <summary>Ends every open watch cleanly, as kube-apiserver does at a watch timeout.</summary>
    public void CloseWatches() => _state.Store.CloseAll();

    /// <summary>Errors answered in place of matching requests (500, 503, 429 with Retry-After), switched on and off by tests.</summary>
    public FaultInjection Faults => _state.Faults;

    /// <summary>Starts listening again (on the same port after a <see cref="StopAsync"/>), with the same data.</summary>
    public async Task StartAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_host is not null)
            {
                return;
            }

            var host = BuildHost(_port);
            await host.StartAsync();
            _host = host;
            _port = host.Urls.Select(u => new Uri(u).Port).First();
            _state.ServerAddress = $"127.0.0.1:{_port}";
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Stops listening: new connections are refused and open ones (watches included) are cut.
    /// Data, users and the port are kept for <see cref="StartAsync"/>.
    /// </summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_host is null)
            {
                return;
            }

            using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
            {
                await _host.StopAsync(grace.Token);
            }

            await _host.DisposeAsync();
            _host = null;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _state.Dispose();
        _serving.Dispose();
        _authority.Dispose();
        _lifecycle.Dispose();
    }

    private WebApplication BuildHost(int port)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.ResponseHeaderEncodingSelector = _ => Encoding.UTF8;
            kestrel.Limits.MaxRequestBodySize = 16 * 1024 * 1024;
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(_serving);
            });
        });
        var app = builder.Build();
        app.Run(_pipeline.HandleAsync);
        return app;
    }
}
