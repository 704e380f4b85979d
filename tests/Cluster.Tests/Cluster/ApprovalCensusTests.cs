using System.Globalization;
using Admission.Operator.Observability;
using CsCheck;

namespace Admission.Cluster.Tests;

/// <summary>What admission_approvals{phase} and the break-glass review gauges count.</summary>
public sealed class ApprovalCensusTests
{
    private static CachedApproval Make(string name, string? phase, bool retrospective = false, string? created = null)
    {
        var node = Objects.ApprovalNode(name: name);
        if (phase is not null) node["status"] = new JsonObject { ["phase"] = phase };
        if (retrospective) node["metadata"]!["labels"] = new JsonObject { [ApprovalCensus.RetrospectiveLabel] = "true" };
        if (created is not null) node["metadata"]!["creationTimestamp"] = created;
        return Objects.Cached(Objects.Element(node));
    }

    public static TheoryData<string, string?, bool, int> Rows => new()
    {
        // name, phase, retrospective, counted as unreviewed
        { "pending", "Pending", false, 0 },
        { "retro-pending", "Pending", true, 1 },
        { "retro-no-status", null, true, 1 },
        { "retro-expired", "Expired", true, 1 },
        { "retro-rejected", "Rejected", true, 1 },
        { "retro-approved", "Approved", true, 0 },
        { "retro-applied", "Applied", true, 0 },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_retrospective_approval_is_a_debt_until_approved(string name, string? phase, bool retrospective, int unreviewed)
    {
        var counts = ApprovalCensus.Count([Make(name, phase, retrospective, "2026-03-06T10:00:00Z")]);
        Assert.Equal(unreviewed, counts.Unreviewed);
        Assert.Equal(unreviewed == 1 ? Objects.T0 : null, counts.OldestUnreviewed);
    }

    [Fact]
    public void Phases_are_counted_and_unknown_ones_read_as_Unknown()
    {
        var counts = ApprovalCensus.Count([Make("a", "Pending"), Make("b", "Pending"), Make("c", "Approved"), Make("d", null), Make("e", "Bogus")]);
        Assert.Equal(2, counts.Phases["Pending"]);
        Assert.Equal(1, counts.Phases["Approved"]);
        Assert.Equal(2, counts.Phases["Unknown"]);
    }

    [Fact]
    public void The_oldest_unreviewed_is_the_earliest_created()
    {
        var counts = ApprovalCensus.Count([
            Make("late", "Pending", true, "2026-03-07T10:00:00Z"),
            Make("early", "Pending", true, "2026-03-06T10:00:00Z"),
            Make("reviewed", "Approved", true, "2026-03-01T10:00:00Z"),
        ]);
        Assert.Equal(2, counts.Unreviewed);
        Assert.Equal(Objects.T0, counts.OldestUnreviewed);
    }

    /// <summary>The census counted the plain way, as it was before the tally: every approval looked at once.</summary>
    private static (string Phases, int Unreviewed, DateTimeOffset? Oldest) Reference(IEnumerable<CachedApproval> approvals)
    {
        var phases = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var (unreviewed, oldest) = (0, (DateTimeOffset?)null);
        foreach (var a in approvals)
        {
            var phase = a.Status?.GetProperty("phase").GetString() is { } p && AdmissionMetrics.Phases.Contains(p) ? p : "Unknown";
            phases[phase] = phases.GetValueOrDefault(phase) + 1;
            if (ApprovalCensus.IsRetrospective(a.Raw) && phase is not ("Approved" or "Applied"))
            {
                unreviewed++;
                var created = DateTimeOffset.Parse(a.Raw.GetProperty("metadata").GetProperty("creationTimestamp").GetString()!, CultureInfo.InvariantCulture);
                if (oldest is null || created < oldest) oldest = created;
            }
        }
        return (string.Join(",", phases.Select(kv => kv.Key + "=" + kv.Value)), unreviewed, oldest);
    }

    private static (string, int, DateTimeOffset?) Shown(ApprovalCensus.Counts counts) =>
        (string.Join(",", counts.Phases.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)), counts.Unreviewed, counts.OldestUnreviewed);

    private static readonly string?[] Phases = ["Pending", "Approved", "Applied", "Rejected", "Expired", "Bogus", null];

    [Fact]
    public void The_tally_kept_event_by_event_counts_what_a_census_of_all_counts()
    {
        // Each event: approval n becomes a version with this phase, retrospective or not, created on this day; or is deleted.
        var events = Gen.Select(Gen.Int[0, 9], Gen.Int[0, Phases.Length - 1], Gen.Bool, Gen.Int[1, 28], Gen.Int[0, 5]).Array[1, 60];
        events.Sample(changes =>
        {
            var held = new Dictionary<string, CachedApproval>();
            var tally = new ApprovalTally();
            foreach (var (n, phase, retrospective, day, deleted) in changes)
            {
                var name = "a" + n;
                var before = held.GetValueOrDefault("payments/" + name);
                var after = deleted == 0 ? null : Make(name, Phases[phase], retrospective, $"2026-03-{day:00}T10:00:00Z");
                tally.Change(before, after);
                if (after is null) held.Remove("payments/" + name);
                else held[after.Key] = after;
                Assert.Equal(Reference(held.Values), Shown(tally.Counts));
            }
        }, iter: 300);
    }
}
