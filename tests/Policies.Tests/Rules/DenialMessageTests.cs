namespace Admission.Policies.Tests.Rules;

/// <summary>
/// Contract section 2, denials: a message a person can act on, each targeting approval listed
/// closest first with what it lacks; how to request one when none targets the object; and
/// dry-run requests decided exactly like real ones.
/// </summary>
public class DenialMessageTests
{
    private const string Evil = "registry.example.com/evil:1.0";
    private static readonly Workload Deploy = new();
    private static readonly Workload Old = Deploy with { Images = ["registry.example.com/checkout:2.4.0"] };
    private static readonly UserInfo Oncall = User("olga", BreakGlassGroup);

    public sealed record MessageCase(AdmissionInput Request, Approval[] Approvals, string[] Contains, string[]? InOrder = null, string[]? Absent = null, AdmissionPolicy? Policy = null);

    private static MessageCase Update(Approval[] approvals, string[] contains, string[]? inOrder = null, string[]? absent = null) =>
        new(Requests.Update(Old, Deploy), approvals, contains, inOrder, absent);

    public static readonly Table<MessageCase> Cases = new()
    {
        { "says the namespace is Tier-1", Update([], ["namespace payments is Tier-1", "Deployment payments/checkout"]) },
        { "counts approvals against the number needed, and by whom", Update([new Approval { Name = "one" }.ApprovedBy("alice")], ["ChangeApproval one", "1 of 2 approvals (alice)"]) },
        { "no approvals yet: 0 of 2", Update([new Approval { Name = "none-yet" }], ["ChangeApproval none-yet", "0 of 2 approvals"]) },
        { "counts against requiredApprovals from the policy", new(Requests.Update(Old, Deploy), [new Approval { Name = "two" }.ApprovedBy("alice", "bob")], ["2 of 3 approvals (alice, bob)"], Policy: Policy with { RequiredApprovals = 3 }) },
        { "the requester's own entry is said not to count", Update([new Approval { Name = "self" }.ApprovedBy(Requester, "alice")], ["1 of 2 approvals (alice)", "carol's own approval does not count"]) },
        { "expired: says when", Update([new Approval { Name = "old", NotBefore = Now.AddHours(-5), ExpiresAt = Now.AddMinutes(-1) }.ApprovedBy("alice", "bob")], ["ChangeApproval old", "expired at 2026-03-06T11:59:00Z"]) },
        { "not yet valid: says from when", Update([new Approval { Name = "later", NotBefore = Now.AddHours(1) }.ApprovedBy("alice", "bob")], ["ChangeApproval later", "not valid before 2026-03-06T13:00:00Z"]) },
        {
            "operation not listed: says which",
            new(Requests.Delete(Deploy), [new Approval { Name = "no-delete" }.ApprovedBy("alice", "bob")], ["ChangeApproval no-delete", "does not cover DELETE"])
        },
        { "image not approved: names the image", new(Requests.Update(Old, Deploy with { Images = [Image, Evil] }), [new Approval { Name = "pinned", Images = [Image] }.ApprovedBy("alice", "bob")], ["ChangeApproval pinned", $"image {Evil} is not approved"]) },
        {
            "several images not approved: names every one, in pod spec order",
            new(Requests.Update(Old, Deploy with { Images = [Image, Evil, "registry.example.com/miner:6.6.6"] }), [new Approval { Name = "pinned", Images = [Image] }.ApprovedBy("alice", "bob")],
                [$"images {Evil}, registry.example.com/miner:6.6.6 are not approved (approved: {Image})"])
        },
        {
            "an init container's and a container's unapproved images are both named",
            new(Requests.Update(Old, Deploy with { Images = [Evil], InitImages = ["registry.example.com/miner:6.6.6"] }), [new Approval { Name = "pinned", Images = [Image] }.ApprovedBy("alice", "bob")],
                [Evil, "registry.example.com/miner:6.6.6", "are not approved"])
        },
        { "init container image not approved: names it", new(Requests.Update(Old, Deploy with { InitImages = [Evil] }), [new Approval { Name = "pinned", Images = [Image] }.ApprovedBy("alice", "bob")], [$"image {Evil} is not approved"]) },
        {
            "several problems of one approval are all listed",
            new(Requests.Delete(Deploy), [new Approval { Name = "bad", NotBefore = Now.AddHours(-5), ExpiresAt = Now.AddMinutes(-1) }.ApprovedBy("alice")], ["1 of 2 approvals (alice)", "expired at", "does not cover DELETE"])
        },
        {
            "closest first: fewer problems before more",
            Update(
                [
                    new Approval { Name = "a-far", NotBefore = Now.AddHours(-5), ExpiresAt = Now.AddMinutes(-1) },
                    new Approval { Name = "b-near" }.ApprovedBy("alice"),
                ],
                ["a-far", "b-near"], inOrder: ["ChangeApproval b-near", "ChangeApproval a-far"])
        },
        {
            "closest first: fewer approvals missing before more",
            Update(
                [
                    new Approval { Name = "a-none" },
                    new Approval { Name = "b-one" }.ApprovedBy("alice"),
                ],
                ["0 of 2", "1 of 2"], inOrder: ["ChangeApproval b-one", "ChangeApproval a-none"])
        },
        {
            "approvals for other objects are not listed",
            Update(
                [
                    new Approval { Name = "mine" }.ApprovedBy("alice"),
                    new Approval { Name = "for-cart", TargetName = "cart" }.ApprovedBy("alice"),
                    new Approval { Name = "elsewhere", Namespace = Plain }.ApprovedBy("alice"),
                ],
                ["ChangeApproval mine"], absent: ["for-cart", "elsewhere"])
        },
        { "none targets it: says how to request one", Update([], ["No ChangeApproval in payments targets Deployment checkout", "kubectl change request deployment/checkout -n payments"]) },
        { "none targets it, DELETE: the request command asks for DELETE", new(Requests.Delete(Deploy), [], ["kubectl change request deployment/checkout -n payments --operation DELETE"]) },
        { "none targets it: approvals for other objects do not count as targeting", Update([new Approval { Name = "for-cart", TargetName = "cart" }.ApprovedBy("alice", "bob")], ["kubectl change request deployment/checkout"], absent: ["for-cart"]) },
    };

    [Theory, RowsOf(nameof(Cases))]
    public void Message(string name)
    {
        var c = Cases[name];
        var decision = AdmissionEngine.Decide(c.Request, Context(c.Approvals, c.Policy));

        Assert.False(decision.Allowed);
        Assert.Equal(DecisionCode.Denied, decision.Code);
        Assert.Null(decision.Approval);
        foreach (var fragment in c.Contains) Assert.Contains(fragment, decision.Message, StringComparison.Ordinal);
        foreach (var fragment in c.Absent ?? []) Assert.DoesNotContain(fragment, decision.Message, StringComparison.Ordinal);
        var positions = (c.InOrder ?? []).Select(f => decision.Message.IndexOf(f, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
    }

    // Dry run: the same decision as the real request; denials carry warnings.
    private static readonly Approval Valid = new Approval().ApprovedBy("alice", "bob");

    public sealed record DryRunCase(Func<bool, AdmissionInput> Request, Approval[] Approvals);

    public static readonly Table<DryRunCase> DryRuns = new()
    {
        { "approved", new(d => Requests.Update(Old, Deploy, dryRun: d), [Valid]) },
        { "denied, one approver short", new(d => Requests.Update(Old, Deploy, dryRun: d), [new Approval().ApprovedBy("alice")]) },
        { "denied, several approvals targeting", new(d => Requests.Update(Old, Deploy, dryRun: d), [new Approval { Name = "x" }.ApprovedBy("alice"), new Approval { Name = "y", ExpiresAt = Now }]) },
        { "denied, none targeting", new(d => Requests.Update(Old, Deploy, dryRun: d), []) },
        { "denied DELETE", new(d => Requests.Delete(Deploy, dryRun: d), [Valid]) },
        { "no change", new(d => Requests.Update(Deploy, Deploy with { Replicas = 9 }, dryRun: d), []) },
        { "break glass", new(d => Requests.Update(Old, Deploy.WithBreakGlass("INC-1"), Oncall, dryRun: d), []) },
        { "not guarded", new(d => Requests.Update(Old with { Namespace = Plain }, Deploy with { Namespace = Plain }, dryRun: d), []) },
    };

    [Theory, RowsOf(nameof(DryRuns))]
    public void Dry_run_is_decided_exactly_as_the_real_request(string name)
    {
        var c = DryRuns[name];
        var context = Context(c.Approvals);

        var real = AdmissionEngine.Decide(c.Request(false), context);
        var dry = AdmissionEngine.Decide(c.Request(true), context);

        Assert.Equal(real.Allowed, dry.Allowed);
        Assert.Equal(real.Code, dry.Code);
        Assert.Equal(real.Approval, dry.Approval);
        Assert.Equal(real.Message, dry.Message);
        if (!dry.Allowed)
        {
            Assert.NotEmpty(dry.Warnings);
            var targeting = c.Approvals.Where(a => a.Namespace == Tier1 && a.TargetName == "checkout").ToList();
            foreach (var a in targeting) Assert.Contains(dry.Warnings, w => w.Contains(a.Key, StringComparison.Ordinal));
            if (targeting.Count == 0) Assert.Contains(dry.Warnings, w => w.Contains("kubectl change request", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Dry_run_denial_warnings_say_what_each_approval_lacks()
    {
        var dry = AdmissionEngine.Decide(Requests.Update(Old, Deploy, dryRun: true), Context([new Approval().ApprovedBy("alice")]));

        var warning = Assert.Single(dry.Warnings);
        Assert.Contains("payments/checkout-2-4-1", warning, StringComparison.Ordinal);
        Assert.Contains("1 of 2 approvals (alice)", warning, StringComparison.Ordinal);
    }
}
