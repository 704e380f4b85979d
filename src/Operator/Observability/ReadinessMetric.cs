using Admission.Operator.State;
using Admission.Operator.Tls;
using Prometheus;

namespace Admission.Operator.Observability;

/// <summary>
/// Sets <c>admission_ready</c> at each scrape from the same checks as /readyz, so an alert sees a
/// replica that is up but unready (the API server then calls the others, or fails closed when
/// none is ready). Computed on scrape: nothing is done per decision.
/// </summary>
internal static class ReadinessMetric
{
    private static int _registered;

    public static void Register(IServiceProvider services)
    {
        AdmissionMetrics.Initialize();
        // One server per process; a second host in the same process (tests) keeps the first callback.
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        var state = services.GetRequiredService<IApprovalState>();
        var certificates = services.GetRequiredService<CertificateStore>();
        var drain = services.GetRequiredService<Hosting.ShutdownDrain>();
        Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
            AdmissionMetrics.Ready.Set(!drain.Draining && certificates.Current is not null && state.Readiness.Ready ? 1 : 0));
    }
}
