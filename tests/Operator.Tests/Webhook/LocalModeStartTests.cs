using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// Local mode reads its files as the host starts, beside Kestrel's start (docs/performance.md):
/// building the host reads nothing, and until the files are indexed the webhook is not ready and
/// cannot verify, so no decision is made on an empty index.
/// </summary>
public sealed class LocalModeStartTests
{
    [Fact]
    public async Task The_files_are_read_once_the_host_starts_and_ready_means_they_are_indexed()
    {
        using var dir = new TempDir("admission-local-start-");
        dir.Write("approvals/namespace.yaml", await File.ReadAllTextAsync(Repo.Example("namespace.yaml")));
        var options = new ServeOptions
        {
            Listen = new Uri("https://127.0.0.1:0"),
            Approvals = [dir.File("approvals")],
            TlsDir = dir.File("tls"),
        };
        await using var app = WebhookHost.Build(options, AdmissionPolicy.Default);
        var state = app.Services.GetRequiredService<IApprovalState>();

        Assert.False(state.Readiness.Ready);
        Assert.False(state.CanVerify);
        Assert.Equal("approval files not read yet", state.Readiness.Detail);
        Assert.Equal(0, state.Snapshot.Namespaces.Count);

        await app.StartAsync();
        await Admission.Tests.Shared.Polling.UntilAsync(() => state.Readiness.Ready, TimeSpan.FromSeconds(30), "the approval files indexed", () => state.Readiness.Detail);

        Assert.True(state.Readiness.Ready, state.Readiness.Detail);
        Assert.True(state.CanVerify);
        Assert.NotEqual(0, state.Snapshot.Namespaces.Count);
        await app.StopAsync();
    }
}
