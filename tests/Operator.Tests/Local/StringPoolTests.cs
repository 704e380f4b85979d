namespace Admission.Operator.Tests.Local;

/// <summary>Sharing the parts of loaded approvals keeps every value as it was, and makes equal parts one instance.</summary>
public sealed class StringPoolTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 6, 12, 0, 0, TimeSpan.Zero);

    // Each field built at run time, so equal values start as distinct instances, as a parser gives them.
    private static ChangeApproval Approval(int i, Operation[] operations) => new()
    {
        Namespace = string.Concat("pay", "ments"),
        Name = "change-" + i,
        Target = new ApprovalTarget(string.Concat("ap", "ps"), string.Concat("Deploy", "ment"), "app-" + i),
        Operations = [.. operations],
        Images = [string.Concat("registry.example.com/app:", "1.0"), "registry.example.com/sidecar:" + i],
        Reason = "reason " + i,
        Ticket = i % 2 == 0 ? null : "CHG-" + i,
        RequestedBy = string.Concat("ca", "rol"),
        NotBefore = i % 2 == 0 ? null : Now,
        ExpiresAt = Now.AddHours(i),
        Approvals = [new ApprovalEntry(string.Concat("ali", "ce"), Now, "ok " + i), new ApprovalEntry(string.Concat("b", "ob"), null, null)],
    };

    public static TheoryData<Operation[]> OperationLists => new()
    {
        { [] },
        { [Operation.Create] },
        { [Operation.Update, Operation.Create] },
        { [Operation.Create, Operation.Update, Operation.Delete, Operation.Connect] },
        { [Operation.Delete, Operation.Delete] },
    };

    [Theory]
    [MemberData(nameof(OperationLists))]
    public void Shared_approvals_keep_every_value(Operation[] operations)
    {
        var originals = Enumerable.Range(0, 4).Select(i => Approval(i, operations)).ToList();
        var shared = new StringPool().Share(originals.Select(a => a with { }).ToList());

        for (var i = 0; i < originals.Count; i++)
        {
            var (a, b) = (originals[i], shared[i]);
            Assert.Equal(a with { Operations = [], Images = [], Approvals = [] }, b with { Operations = [], Images = [], Approvals = [] });
            Assert.Equal(a.Operations, b.Operations);
            Assert.Equal(a.Images, b.Images);
            Assert.Equal(a.Approvals, b.Approvals);
        }
    }

    [Fact]
    public void Equal_parts_become_one_instance_and_different_lists_stay_apart()
    {
        var shared = new StringPool().Share([Approval(1, [Operation.Create, Operation.Update]), Approval(2, [Operation.Create, Operation.Update]), Approval(3, [Operation.Update, Operation.Create])]);

        Assert.Same(shared[0].Namespace, shared[1].Namespace);
        Assert.Same(shared[0].Target.ApiGroup, shared[1].Target.ApiGroup);
        Assert.Same(shared[0].Target.Kind, shared[1].Target.Kind);
        Assert.Same(shared[0].RequestedBy, shared[1].RequestedBy);
        Assert.Same(shared[0].Images[0], shared[1].Images[0]);
        Assert.Same(shared[0].Approvals[0].Approver, shared[1].Approvals[0].Approver);
        Assert.Same(shared[0].Operations, shared[1].Operations);
        // Order is kept (denial messages list operations as written), so a reordered list is its own.
        Assert.NotSame(shared[0].Operations, shared[2].Operations);
        Assert.Equal([Operation.Update, Operation.Create], shared[2].Operations);
    }
}
