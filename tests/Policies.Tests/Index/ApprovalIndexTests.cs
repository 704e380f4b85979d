namespace Admission.Policies.Tests.Index;

/// <summary>The index the webhook decides from, and the per-namespace replacement a live read makes.</summary>
public class ApprovalIndexTests
{
    private static ChangeApproval A(string ns, string name, string target, string kind = "Deployment", string group = "apps") => new()
    {
        Namespace = ns, Name = name, Target = new ApprovalTarget(group, kind, target), Operations = [Operation.Update],
        Reason = "r", RequestedBy = "carol", ExpiresAt = DateTimeOffset.UnixEpoch.AddYears(60),
    };

    private static string[] Names(IApprovalSource index, string ns, string target, string kind = "Deployment", string group = "apps") =>
        [.. index.Targeting(ns, group, kind, target).Select(a => a.Name)];

    [Fact]
    public void Lookups_match_namespace_group_kind_and_name_exactly()
    {
        var index = new ApprovalIndex([A("payments", "b", "checkout"), A("payments", "a", "checkout"), A("other", "c", "checkout"),
            A("payments", "d", "checkout", kind: "StatefulSet"), A("payments", "e", "checkout", group: "example.com")]);
        Assert.Equal(["a", "b"], Names(index, "payments", "checkout"));
        Assert.Equal(["c"], Names(index, "other", "checkout"));
        Assert.Equal(["d"], Names(index, "payments", "checkout", kind: "StatefulSet"));
        Assert.Equal(["e"], Names(index, "payments", "checkout", group: "example.com"));
        Assert.Empty(Names(index, "payments", "ledger"));
        Assert.Equal(5, index.Count);
    }

    [Fact]
    public void Replacing_a_namespace_changes_only_that_namespace_and_leaves_the_original_alone()
    {
        var original = new ApprovalIndex([A("payments", "old", "checkout"), A("other", "kept", "checkout")]);
        var fresh = original.ReplacingNamespace("payments", [A("payments", "new", "checkout"), A("other", "stray", "checkout")]);

        Assert.Equal(["new"], Names(fresh, "payments", "checkout"));
        Assert.Equal(["kept"], Names(fresh, "other", "checkout")); // an approval of another namespace in the replacement is ignored
        Assert.Equal(["old"], Names(original, "payments", "checkout"));

        var emptied = original.ReplacingNamespace("payments", []);
        Assert.Empty(Names(emptied, "payments", "checkout"));
        Assert.Equal(["kept"], Names(emptied.ReplacingNamespace("third", []), "other", "checkout"));
    }
}
