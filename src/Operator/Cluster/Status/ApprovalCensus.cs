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
        var tally = new ApprovalTally();
        foreach (var approval in approvals) tally.Change(null, approval);
        return tally.Counts;
    }

    public static void Publish(Counts counts)
    {
        AdmissionMetrics.SetPhases(counts.Phases);
        AdmissionMetrics.BreakGlassUnreviewed.Set(counts.Unreviewed);
        AdmissionMetrics.BreakGlassOldestUnreviewed.Set(counts.OldestUnreviewed?.ToUnixTimeSeconds() ?? 0);
    }

    /// <summary>What one approval adds to the counts: its phase, and whether (and since when) it is an unreviewed break-glass debt.</summary>
    internal static (string Phase, bool Unreviewed, DateTimeOffset? Created) Entry(CachedApproval approval)
    {
        var phase = Phase(approval);
        return IsRetrospective(approval.Raw) && phase is not ("Approved" or "Applied")
            ? (phase, true, Created(approval.Raw))
            : (phase, false, null);
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
