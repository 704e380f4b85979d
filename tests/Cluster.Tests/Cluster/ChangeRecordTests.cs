namespace Admission.Cluster.Tests;

/// <summary>What the change record says, from the ChangeApproval as stored.</summary>
public sealed class ChangeRecordTests
{
    private static readonly DateTimeOffset RecordedAt = Objects.T0.AddHours(2);

    public static TheoryData<string, JsonObject?, string> AppliedAtRows => new()
    {
        { "status.appliedAt", new JsonObject { ["phase"] = "Applied", ["appliedAt"] = "2026-03-06T11:00:00Z" }, "2026-03-06T11:00:00Z" },
        {
            "Applied condition",
            new JsonObject { ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Applied", ["status"] = "True", ["lastTransitionTime"] = "2026-03-06T11:30:00Z" }) },
            "2026-03-06T11:30:00Z"
        },
        { "neither: when it was seen", new JsonObject { ["phase"] = "Applied" }, "2026-03-06T12:00:00Z" },
    };

    [Theory]
    [MemberData(nameof(AppliedAtRows))]
    public void Applied_at_comes_from_the_status_when_it_says(string what, JsonObject? status, string expected)
    {
        var node = Objects.ApprovalNode(approvers: ["alice", "bob"]);
        node["status"] = status;
        var record = ChangeRecord.Build(Objects.Cached(Objects.Element(node)), RecordedAt);
        Assert.True(expected == record["appliedAt"]!.ToString(), what);
    }

    // Well-formed digests: the ChangeApproval reader refuses any other spelling.
    private const string NewDigest = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string OldDigest = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    [Fact]
    public void The_record_names_requester_reviews_target_and_reason()
    {
        var node = Objects.ApprovalNode(approvers: ["alice", "bob"]);
        node["spec"]!["ticket"] = "CHG-7";
        node["spec"]!["change"] = new JsonObject { ["digest"] = NewDigest, ["base"] = OldDigest };
        var record = ChangeRecord.Build(Objects.Cached(Objects.Element(node)), RecordedAt);
        Assert.Equal("ChangeApplied", record["kind"]!.ToString());
        Assert.Equal("uid-checkout-1", record["changeApproval"]!["uid"]!.ToString());
        Assert.Equal(("Deployment", "payments", "checkout"), (record["target"]!["kind"]!.ToString(), record["target"]!["namespace"]!.ToString(), record["target"]!["name"]!.ToString()));
        Assert.Equal("carol", record["requestedBy"]!.ToString());
        Assert.Equal("roll out 2.4.1", record["reason"]!.ToString());
        Assert.Equal("CHG-7", record["ticket"]!.ToString());
        Assert.Equal(["alice", "bob"], record["reviews"]!.AsArray().Select(r => r!["by"]!.ToString()));
        Assert.All(record["reviews"]!.AsArray(), r => Assert.Equal(("Approve", "2026-03-06T10:00:00Z"), (r!["decision"]!.ToString(), r["at"]!.ToString())));
        Assert.Equal((NewDigest, OldDigest), (record["change"]!["digest"]!.ToString(), record["change"]!["base"]!.ToString()));
        Assert.Equal("2026-03-06T12:00:00Z", record["recordedAt"]!.ToString());
    }
}
