namespace Admission.Cluster.Tests.Cluster;

/// <summary>When the audit finalizer belongs on a ChangeApproval: while its change may be applied and has no record yet.</summary>
public class AuditFinalizerTests
{
    private static JsonObject Status(string phase, bool applied = false)
    {
        var conditions = new JsonArray();
        if (applied) conditions.Add(new JsonObject { ["type"] = "Applied", ["status"] = "True", ["lastTransitionTime"] = "2026-03-06T10:30:00Z" });
        return new JsonObject { ["phase"] = phase, ["conditions"] = conditions };
    }

    public static TheoryData<string, string?, bool, bool, bool, bool, bool?> Cases => new()
    {
        // name, phase, applied, recorded, deleting, retrospective, wanted
        { "pending: left as it is", "Pending", false, false, false, false, null },
        { "no status yet: left as it is", null, false, false, false, false, null },
        { "approved, may be applied any moment: on", "Approved", false, false, false, false, true },
        { "applied, no record yet: on", "Approved", true, false, false, false, true },
        { "applied and being deleted, no record yet: kept until the record is out", "Approved", true, false, true, false, true },
        { "record out: off", "Approved", true, true, false, false, false },
        { "record out, being deleted: off", "Approved", true, true, true, false, false },
        { "approved but deleted before any apply: off", "Approved", false, false, true, false, false },
        { "expired unused: off", "Expired", false, false, false, false, false },
        { "rejected: off", "Rejected", false, false, false, false, false },
        { "expired after being applied, no record: on", "Expired", true, false, false, false, true },
        { "retrospective (its record is written with it): off", "Approved", false, false, false, true, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Wanted(string name, string? phase, bool applied, bool recorded, bool deleting, bool retrospective, bool? wanted)
    {
        var node = Objects.ApprovalNode(approvers: ["alice", "bob"]);
        var meta = node["metadata"]!.AsObject();
        if (phase is not null) node["status"] = Status(phase, applied);
        if (recorded) meta["annotations"] = new JsonObject { [ChangeRecord.Annotation] = "{}" };
        if (deleting) meta["deletionTimestamp"] = "2026-03-06T11:00:00Z";
        if (retrospective) meta["labels"] = new JsonObject { [ChangeApproval.RetrospectiveLabel] = "true" };
        Assert.True(wanted == AuditFinalizer.Wanted(Objects.Cached(Objects.Element(node))), name);
    }
}
