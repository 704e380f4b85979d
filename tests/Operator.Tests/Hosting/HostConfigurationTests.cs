using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace Admission.Operator.Tests.Hosting;

/// <summary>
/// Serve takes its settings from flags and the environment: not from an appsettings.json in the
/// folder it was started from, and with no configuration file watched (a reloadable one puts a
/// recursive watch on that folder while the approvals are read).
/// </summary>
public sealed class HostConfigurationTests
{
    [Fact]
    public async Task The_host_reads_no_settings_file_from_the_working_folder_and_watches_none()
    {
        using var dir = new TempDir("admission-host-config-");
        var options = new ServeOptions
        {
            Listen = new Uri("https://127.0.0.1:0"),
            Approvals = [dir.File("approvals")],
            TlsDir = dir.File("tls"),
        };
        await using var app = WebhookHost.Build(options, AdmissionPolicy.Default);

        Assert.Equal(AppContext.BaseDirectory, app.Environment.ContentRootPath);
        var files = ((IConfigurationRoot)app.Configuration).Providers.OfType<JsonConfigurationProvider>().ToList();
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, f.Source.Path));
    }
}
