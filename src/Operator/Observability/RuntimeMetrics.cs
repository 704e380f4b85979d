using System.Diagnostics.Metrics;
using Prometheus;

namespace Admission.Operator.Observability;

/// <summary>
/// What <c>/metrics</c> publishes of the runtime's and ASP.NET Core's own measurements. By default
/// prometheus-net, from its first scrape on, listens to every .NET Meters instrument and, at
/// Informational level, to the event counters of the hosting, Kestrel, sockets, TLS and the
/// runtime. ASP.NET Core then does per-request work for each listener: the hosting's active
/// requests and request duration, routing's match attempts, Kestrel's queued streams and the memory
/// pool's blocks (several per request) are measured and go through the adapter's label lookup, and
/// the hosting's event source writes a start and a stop event per request, with its method and path,
/// to the event counter listener. All of that on the request thread, for numbers that
/// <c>admission_request_duration_seconds</c> and <c>admission_decisions_total</c> already give.
/// An instrument or event source nobody listens to costs nothing (ASP.NET Core checks first), so:
/// <list type="bullet">
/// <item>Meters: an allow list of what is polled or measured once per connection: the runtime's
/// (GC, thread pool, JIT, CPU), Kestrel's connections and TLS handshakes, and the HTTP client's calls
/// to the API server. An instrument a later runtime adds per request stays off.</item>
/// <item>Event counters: off. Their runtime counters are the <c>System.Runtime</c> meter's again.</item>
/// </list>
/// prometheus-net's process metrics (<c>process_*</c>, <c>dotnet_*</c>) stay as they are.
/// </summary>
public static class RuntimeMetrics
{
    /// <summary>Sets what the default registry publishes; takes effect at its first scrape, so call it before the host starts.</summary>
    public static void Configure()
    {
        Metrics.ConfigureMeterAdapter(options => options.InstrumentFilterPredicate = Published);
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressEventCounters = true });
    }

    /// <summary>Whether <c>/metrics</c> publishes the instrument.</summary>
    public static bool Published(Instrument instrument) => instrument.Meter.Name switch
    {
        "System.Runtime" => true,
        // Kestrel's queued requests counts HTTP/2 streams, one up and one down per review.
        "Microsoft.AspNetCore.Server.Kestrel" => instrument.Name != "kestrel.queued_requests",
        "System.Net.Http" or "System.Net.NameResolution" => true,
        _ => false,
    };
}
