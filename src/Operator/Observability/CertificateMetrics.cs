using Prometheus;

namespace Admission.Operator.Observability;

/// <summary>Certificate reload failures: the old certificate stays in use, and this says so where alerts look.</summary>
public static class CertificateMetrics
{
    public static readonly Counter ReloadErrors = Metrics.CreateCounter(
        "admission_certificate_reload_errors_total", "Times changed certificate files could not be loaded (the current certificate stays in use).");
}
