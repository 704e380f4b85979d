namespace Admission.Plugin.Tests.Unit;

public class TableTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 6, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Columns_are_left_aligned_three_spaces_apart_without_trailing_blanks()
    {
        var text = Table.Render(["NAME", "PHASE", "AGE"], [["a", "Pending", "5m"], ["longer-name", "Approved", ""]]);
        Assert.Equal(
            "NAME          PHASE      AGE\n" +
            "a             Pending    5m\n" +
            "longer-name   Approved\n", text);
    }

    private static StoredApproval Approval(string name, string ns, string requestedBy, string expiresAt, string created, params string[] approvers)
    {
        var entries = string.Join(",", approvers.Select(a => "{\"approver\":\"" + a + "\",\"approvedAt\":\"2026-03-06T11:00:00Z\"}"));
        var json = $$$"""
            {"apiVersion":"approvals.admission.dev/v1alpha1","kind":"ChangeApproval",
             "metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","creationTimestamp":"{{{created}}}"},
             "spec":{"target":{"apiGroup":"apps","kind":"Deployment","name":"checkout"},"reason":"r","requestedBy":"{{{requestedBy}}}",
                     "expiresAt":"{{{expiresAt}}}","approvals":[{{{entries}}}]}}
            """;
        return StoredApproval.Read(JsonDocument.Parse(json).RootElement.Clone());
    }

    [Fact]
    public void List_table_computes_phase_approvals_and_expiry_now()
    {
        var rows = new[]
        {
            Approval("checkout-approved", "payments", "carol", "2026-03-06T15:12:00Z", "2026-03-06T11:55:00Z", "alice", "bob"),
            Approval("checkout-pending", "payments", "carol", "2026-03-07T11:00:00Z", "2026-03-06T09:00:00Z", "carol", "alice"),
            Approval("checkout-expired", "payments", "carol", "2026-03-06T11:55:00Z", "2026-03-04T12:00:00Z", "alice", "bob"),
        };
        var text = ListCommands.RenderTable(rows, AdmissionPolicy.Default, Now, withNamespace: false);
        Assert.Equal(
            "NAME                TARGET                PHASE      APPROVALS          EXPIRES          AGE\n" +
            "checkout-approved   Deployment/checkout   Approved   2/2 (alice, bob)   3h12m            5m\n" +
            "checkout-pending    Deployment/checkout   Pending    1/2 (alice)        23h              3h\n" +
            "checkout-expired    Deployment/checkout   Expired    2/2 (alice, bob)   expired 5m ago   2d\n", text);
    }

    [Fact]
    public void All_namespaces_adds_the_namespace_column()
    {
        var text = ListCommands.RenderTable(
            [Approval("a", "payments", "carol", "2026-03-07T11:00:00Z", "2026-03-06T11:00:00Z")], AdmissionPolicy.Default, Now, withNamespace: true);
        Assert.StartsWith("NAMESPACE   NAME   TARGET                PHASE     APPROVALS   EXPIRES   AGE\n", text);
        Assert.Contains("payments    a      Deployment/checkout   Pending   0/2         23h       60m\n", text);
    }

    [Fact]
    public void Phase_is_never_taken_from_status()
    {
        var json = """
            {"metadata":{"name":"x","namespace":"payments"},
             "spec":{"target":{"kind":"Deployment","name":"checkout"},"reason":"r","requestedBy":"carol","expiresAt":"2026-03-07T00:00:00Z"},
             "status":{"phase":"Approved","approvedBy":["mallory","eve"]}}
            """;
        var stored = StoredApproval.Read(JsonDocument.Parse(json).RootElement.Clone());
        Assert.Equal("Approved", stored.StatusPhase);
        Assert.Equal("Pending", ApprovalCells.Phase(stored.Approval!, 2, Now));
        Assert.Equal("0/2", ApprovalCells.ApprovalsCell(stored.Approval!, 2));
    }

    [Fact]
    public void Lacks_is_the_engines_reading_of_the_spec()
    {
        var legacy = AdmissionPolicy.Default with { RequireExactChange = false };
        var pending = Approval("p", "payments", "carol", "2026-03-07T11:00:00Z", "2026-03-06T11:00:00Z", "carol", "alice");
        Assert.Equal(
            ["1 of 2 approvals (alice), needs 1 more from someone other than carol", "carol's own approval does not count"],
            ApprovalCells.Lacks(pending.Approval!, legacy, Now));
        var valid = Approval("v", "payments", "carol", "2026-03-07T11:00:00Z", "2026-03-06T11:00:00Z", "alice", "bob");
        Assert.Empty(ApprovalCells.Lacks(valid.Approval!, legacy, Now));
        // Under the defaults an approval without spec.change counts for nothing, and says so.
        Assert.Contains(ApprovalCells.Lacks(valid.Approval!, AdmissionPolicy.Default, Now), l => l.StartsWith("binds no exact change", StringComparison.Ordinal));
        var expired = Approval("e", "payments", "carol", "2026-03-06T11:00:00Z", "2026-03-06T10:00:00Z", "alice", "bob");
        Assert.Equal(["expired at 2026-03-06T11:00:00Z"], ApprovalCells.Lacks(expired.Approval!, legacy, Now));
    }
}
