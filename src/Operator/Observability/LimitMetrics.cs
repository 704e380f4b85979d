using Prometheus;

namespace Admission.Operator.Observability;

/// <summary>Requests the server turned away because of a limit (docs/operating.md, "Limits").</summary>
public static class LimitMetrics
{
    public static readonly Counter ReviewsShed = Metrics.CreateCounter(
        "admission_reviews_shed_total", "Reviews answered 429 because the concurrent-review limit was reached.");
}
