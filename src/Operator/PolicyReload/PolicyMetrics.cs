using Prometheus;

namespace Admission.Operator.PolicyReload;

/// <summary>
/// What an alert needs about policy reloads: that a change was refused (the errors counter and the
/// pending gauge), and which policy each replica runs (the info gauge's hash), so a fleet that has
/// not converged on one ConfigMap shows.
/// </summary>
public static class PolicyMetrics
{
    public static readonly Counter ReloadErrors = Metrics.CreateCounter(
        "admission_policy_reload_errors_total", "Changes of the policy file that could not be loaded (the policy in force stays).");

    public static readonly Gauge ReloadPending = Metrics.CreateGauge(
        "admission_policy_reload_failing", "1 while the policy file on disk is not the policy in force because it could not be loaded, else 0.");

    public static readonly Gauge Generation = Metrics.CreateGauge(
        "admission_policy_generation", "The policy in force: 1 for the one the process started with, one more for each reload.");

    public static readonly Gauge Info = Metrics.CreateGauge(
        "admission_policy_info", "1 for the policy in force, labelled with the first 12 hex digits of its file's SHA-256.",
        new GaugeConfiguration { LabelNames = ["sha256"] });

    private static string? _infoHash;
    private static readonly Lock Gate = new();

    internal static void Loaded(LoadedPolicy policy)
    {
        lock (Gate)
        {
            // One series at a time: the old hash's series goes, so a sum over replicas counts policies.
            if (_infoHash is not null && _infoHash != policy.ShortHash) Info.WithLabels(_infoHash).Remove();
            _infoHash = policy.ShortHash;
            Info.WithLabels(policy.ShortHash).Set(1);
            Generation.Set(policy.Generation);
            ReloadPending.Set(0);
        }
    }

    internal static void Refused()
    {
        ReloadErrors.Inc();
        ReloadPending.Set(1);
    }
}
