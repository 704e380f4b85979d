using Admission.Policies;
using Prometheus;

namespace Admission.Operator.Observability;

/// <summary>The metrics platform teams alert on. Label values are bounded (result x decision code).</summary>
public static class AdmissionMetrics
{
    public static readonly Counter Decisions = Metrics.CreateCounter(
        "admission_decisions_total", "Admission decisions by result and decision code.",
        new CounterConfiguration { LabelNames = ["result", "decision"] });

    private static readonly int CodeCount = Enum.GetValues<DecisionCode>().Length;
    private static readonly Counter.Child?[] DecisionChildren = new Counter.Child?[2 * CodeCount];

    /// <summary>
    /// The decisions counter for one result and code, looked up once and then reused: the hot path
    /// increments it with an interlocked add, without the label lookup and its array.
    /// </summary>
    public static Counter.Child Decision(bool allowed, DecisionCode code)
    {
        var slot = (allowed ? 0 : CodeCount) + (int)code;
        // A race only looks the same child up twice.
        return DecisionChildren[slot] ??= Decisions.WithLabels(allowed ? "allowed" : "denied", code.ToWire());
    }

    public static readonly Histogram RequestDuration = Metrics.CreateHistogram(
        "admission_request_duration_seconds", "Time to decide one AdmissionReview, from body read to response written.",
        new HistogramConfiguration { Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    public static readonly Counter BadRequests = Metrics.CreateCounter(
        "admission_bad_requests_total", "Requests to /validate refused before a decision, by HTTP status.",
        new CounterConfiguration { LabelNames = ["code"] });

    public static readonly Gauge ApprovalsCached = Metrics.CreateGauge(
        "admission_approvals_cached", "ChangeApprovals held for decisions.");

    public static readonly Gauge NamespacesCached = Metrics.CreateGauge(
        "admission_namespaces_cached", "Namespaces whose labels are held for decisions.");

    public static readonly Gauge ApprovalSourceErrors = Metrics.CreateGauge(
        "admission_approval_source_errors", "Approval files (local mode) that failed to load; their last good content stays in force.");

    public static readonly Gauge CertificateExpiry = Metrics.CreateGauge(
        "admission_certificate_expiry_timestamp_seconds", "Unix time at which the serving certificate expires.");

    public static readonly Counter LiveReads = Metrics.CreateCounter(
        "admission_live_reads_total", "Reads of a namespace's ChangeApprovals from the API server before a denial, by outcome.",
        new CounterConfiguration { LabelNames = ["outcome"] });

    public static readonly Counter DecisionLogDropped = Metrics.CreateCounter(
        "admission_decision_log_dropped_total",
        "Decision log lines dropped because the output could not keep up (admissions are never slowed for the log).");
}
