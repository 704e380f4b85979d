using Admission.Policies;
using Prometheus;

namespace Admission.Operator.Observability;

/// <summary>
/// The metrics platform teams alert on (the chart's PrometheusRule and dashboard name only these;
/// a chart test checks each name against a running server). Label values are bounded: result x
/// decision code, phases, HTTP status, and the receivers named in the notification configuration.
/// </summary>
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

    public static readonly Counter InternalErrors = Metrics.CreateCounter(
        "admission_internal_errors_total", "Reviews the webhook failed to decide because of an internal error (each was denied and logged with its uid).");

    public static readonly Gauge Ready = Metrics.CreateGauge(
        "admission_ready", "1 while this replica's /readyz answers 200 (certificate loaded, approvals synced and fresh), else 0.");

    public static readonly Gauge ApprovalsCached = Metrics.CreateGauge(
        "admission_approvals_cached", "ChangeApprovals held for decisions.");

    public static readonly Gauge NamespacesCached = Metrics.CreateGauge(
        "admission_namespaces_cached", "Namespaces whose labels are held for decisions.");

    public static readonly Gauge ApprovalSourceErrors = Metrics.CreateGauge(
        "admission_approval_source_errors", "Approval files (local mode) that failed to load; their last good content stays in force.");

    public static readonly Gauge CertificateExpiry = Metrics.CreateGauge(
        "admission_certificate_expiry_timestamp_seconds", "Unix time at which the serving certificate expires.");

    public static readonly Counter LiveReads = Metrics.CreateCounter(
        "admission_live_reads_total", "Reviews that read their namespace's ChangeApprovals live from the API server before deciding, by outcome; reviews that asked at once share one read.",
        new CounterConfiguration { LabelNames = ["outcome"] });

    public static readonly Gauge CacheLastContact = Metrics.CreateGauge(
        "admission_approval_cache_last_contact_timestamp_seconds",
        "Cluster mode: Unix time the approval cache last heard from the API server (the older of the ChangeApproval and Namespace watches); 0 in local mode.");

    public static readonly Gauge ApprovalsByPhase = Metrics.CreateGauge(
        "admission_approvals", "ChangeApprovals in the cluster by status.phase (Unknown: no status written yet).",
        new GaugeConfiguration { LabelNames = ["phase"] });

    public static readonly Gauge BreakGlassUnreviewed = Metrics.CreateGauge(
        "admission_break_glass_unreviewed", "Retrospective ChangeApprovals (one per break-glass admission) not yet approved by two reviewers.");

    public static readonly Gauge BreakGlassOldestUnreviewed = Metrics.CreateGauge(
        "admission_break_glass_unreviewed_oldest_timestamp_seconds",
        "Unix creation time of the oldest unreviewed retrospective ChangeApproval; 0 when none is waiting.");

    public static readonly Counter DecisionLogDropped = Metrics.CreateCounter(
        "admission_decision_log_dropped_total", "Decision log lines dropped because the log writer could not keep up (the decision itself was made).");

    public static readonly Counter NotificationsSent = Metrics.CreateCounter(
        "admission_notifications_sent_total", "Notifications delivered, by receiver.",
        new CounterConfiguration { LabelNames = ["receiver"] });

    public static readonly Counter NotificationAttemptsFailed = Metrics.CreateCounter(
        "admission_notification_attempts_failed_total", "Notification deliveries that failed and will be retried or given up, by receiver.",
        new CounterConfiguration { LabelNames = ["receiver"] });

    public static readonly Counter NotificationsDropped = Metrics.CreateCounter(
        "admission_notifications_dropped_total", "Notifications given up after every retry failed, by receiver.",
        new CounterConfiguration { LabelNames = ["receiver"] });

    /// <summary>The phases <see cref="ApprovalsByPhase"/> reports, always all of them (a missing series reads as "no data", not 0).</summary>
    public static readonly string[] Phases = ["Pending", "Approved", "Rejected", "Applied", "Expired", "Unknown"];

    /// <summary>
    /// Creates every labelled series a rule or panel reads, at 0, so that "nothing happened yet"
    /// is a 0 and not an absent series (increase() and absent() would otherwise mislead).
    /// </summary>
    public static void Initialize()
    {
        foreach (var code in Enum.GetValues<DecisionCode>())
        {
            Decisions.WithLabels(code == DecisionCode.Denied ? "denied" : "allowed", code.ToWire());
        }
        foreach (var phase in Phases) ApprovalsByPhase.WithLabels(phase);
    }

    /// <summary>Publishes the phase counts of every ChangeApproval seen (a count of status.phase values).</summary>
    public static void SetPhases(IReadOnlyDictionary<string, int> counts)
    {
        foreach (var phase in Phases) ApprovalsByPhase.WithLabels(phase).Set(counts.GetValueOrDefault(phase));
    }
}
