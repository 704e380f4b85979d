using System.Globalization;
using System.Text.Json;
using Admission.Kubernetes;
using Admission.Operator.Observability;

namespace Admission.Operator.Cluster;

/// <summary>
/// Counts what the dashboard and alerts show about ChangeApprovals: how many are in each phase,
/// and how many retrospective ones (break-glass debts) wait for review and since when. Run when
/// the cache publishes a new snapshot, never per decision.
/// </summary>
internal static class ApprovalCensus
{
    /// <summary>The label the operator puts on the ChangeApproval it opens for a break-glass admission.</summary>
    public const string RetrospectiveLabel = "approvals.admission.dev/retrospective";

    public sealed record Counts(IReadOnlyDictionary<string, int> Phases, int Unreviewed, DateTimeOffset? OldestUnreviewed);

    public static Counts Count(IEnumerable<CachedApproval> approvals)
    {
        var phases = new Dictionary<string, int>(StringComparer.Ordinal);
        var unreviewed = 0;
        DateTimeOffset? oldest = null;
        foreach (var approval in approvals)
        {
            var phase = Phase(approval);
            phases[phase] = phases.GetValueOrDefault(phase) + 1;
            if (IsRetrospective(approval.Raw) && phase is not ("Approved" or "Applied"))
            {
                unreviewed++;
                if (Created(approval.Raw) is { } created && (oldest is null || created < oldest)) oldest = created;
            }
        }
        return new Counts(phases, unreviewed, oldest);
    }

    public static void Publish(IEnumerable<CachedApproval> approvals)
    {
        var counts = Count(approvals);
        AdmissionMetrics.SetPhases(counts.Phases);
        AdmissionMetrics.BreakGlassUnreviewed.Set(counts.Unreviewed);
        AdmissionMetrics.BreakGlassOldestUnreviewed.Set(counts.OldestUnreviewed?.ToUnixTimeSeconds() ?? 0);
    }

    private static string Phase(CachedApproval approval) =>
        approval.Status is { } s && s.TryGetProperty("phase", out var p) && p.ValueKind == JsonValueKind.String &&
        Array.IndexOf(AdmissionMetrics.Phases, p.GetString()) >= 0 ? p.GetString()! : "Unknown";

    public static bool IsRetrospective(JsonElement raw) =>
        ObjectFields.Label(raw, RetrospectiveLabel) == "true";

    private static DateTimeOffset? Created(JsonElement raw) =>
        ObjectFields.CreationTimestamp(raw) is { } c &&
        DateTimeOffset.TryParse(c, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
