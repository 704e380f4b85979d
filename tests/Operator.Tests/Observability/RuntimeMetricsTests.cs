using System.Diagnostics.Metrics;
using Admission.Operator.Observability;

namespace Admission.Operator.Tests.Observability;

/// <summary>
/// What serve lets the runtime and ASP.NET Core measure for <c>/metrics</c>: nothing that costs
/// work on every request (the hosting's and routing's instruments, the memory pool's, the event
/// sources' per-request events), and still the runtime's and Kestrel's per-connection measurements.
/// </summary>
public sealed class RuntimeMetricsTests
{
    public static TheoryData<string, string, bool> Instruments => new()
    {
        { "System.Runtime", "dotnet.gc.collections", true },
        { "System.Runtime", "dotnet.thread_pool.queue.length", true },
        { "Microsoft.AspNetCore.Server.Kestrel", "kestrel.active_connections", true },
        { "Microsoft.AspNetCore.Server.Kestrel", "kestrel.tls_handshake.duration", true },
        { "Microsoft.AspNetCore.Server.Kestrel", "kestrel.connection.duration", true },
        { "System.Net.Http", "http.client.request.duration", true },
        { "System.Net.NameResolution", "dns.lookup.duration", true },
        // Measured on every review:
        { "Microsoft.AspNetCore.Server.Kestrel", "kestrel.queued_requests", false },
        { "Microsoft.AspNetCore.Hosting", "http.server.request.duration", false },
        { "Microsoft.AspNetCore.Hosting", "http.server.active_requests", false },
        { "Microsoft.AspNetCore.Routing", "aspnetcore.routing.match_attempts", false },
        { "Microsoft.AspNetCore.MemoryPool", "aspnetcore.memory_pool.rented", false },
        // Nobody decided it is worth its cost yet:
        { "Some.Library.Added.Later", "requests", false },
    };

    [Theory]
    [MemberData(nameof(Instruments))]
    public void Only_polled_and_per_connection_instruments_are_published(string meter, string instrument, bool published)
    {
        using var m = new Meter(meter);
        var counter = m.CreateCounter<long>(instrument);
        Assert.Equal(published, RuntimeMetrics.Published(counter));
    }

    [Fact]
    public async Task A_scraped_server_measures_no_instrument_per_request_but_its_connections()
    {
        // A process of its own: prometheus-net's registry is global, and what it listens to is set
        // at its first scrape.
        await using var server = await ServeProcess.StartWithExampleNamespaceAsync("admission-runtime-metrics-");
        using (var scraper = server.CreateClient())
        {
            // The first scrape starts the adapters, as Prometheus's first scrape of a pod does.
            await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        }
        // On a connection of its own, opened after the adapters started listening.
        using var client = server.CreateClient();
        var review = Review.Example("deployment-update-denied");
        for (var i = 0; i < 3; i++)
        {
            using var body = new StringContent(review.Root.ToJsonString(), Encoding.UTF8, "application/json");
            using var answer = await client.PostAsync(new Uri("/validate", UriKind.Relative), body);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        var families = PrometheusText.Parse(await client.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Types.Keys.ToList();
        // The adapter is listening (so what is absent below is not absent for want of a listener).
        Assert.Contains("microsoft_aspnetcore_server_kestrel_kestrel_active_connections", families);
        Assert.Contains(families, f => f.StartsWith("system_runtime_dotnet_", StringComparison.Ordinal));
        Assert.Contains("admission_decisions_total", families);
        Assert.Contains("process_cpu_seconds_total", families);
        Assert.DoesNotContain(families, f => f.StartsWith("microsoft_aspnetcore_hosting_", StringComparison.Ordinal));
        Assert.DoesNotContain(families, f => f.StartsWith("microsoft_aspnetcore_routing_", StringComparison.Ordinal));
        Assert.DoesNotContain(families, f => f.StartsWith("microsoft_aspnetcore_memorypool_", StringComparison.Ordinal));
        Assert.DoesNotContain("microsoft_aspnetcore_server_kestrel_kestrel_queued_requests", families);
        // No event counter listener: the hosting's event source writes no event per request.
        Assert.DoesNotContain("prometheus_net_eventcounteradapter_sources_connected", families);
    }
}
