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
}
