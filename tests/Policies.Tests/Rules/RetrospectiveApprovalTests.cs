using Admission.Policies.Tests.Properties;

namespace Admission.Policies.Tests.Rules;

/// <summary>
/// Break glass reviewed after the fact (issue 14): the operator opens a retrospective
/// ChangeApproval in the break-glass user's name; only it may name another requester, only on a
/// retrospective one; the mark never comes off; reviewers may review it after its window; and it
/// never admits anything.
/// </summary>
public class RetrospectiveApprovalTests
{
    private const string OperatorUser = "system:serviceaccount:admission-system:admission";
    private static readonly UserInfo Operator = User(OperatorUser, "system:serviceaccounts");
    private static readonly UserInfo Erin = User("erin", BreakGlassGroup);
    private static readonly UserInfo Alice = User("alice", ApproverGroup);
    private static readonly UserInfo Bob = User("bob", ApproverGroup);
    private static readonly UserInfo Eve = User("eve", "developers");

    private static readonly Dictionary<string, string> Mark = new() { [ChangeApproval.RetrospectiveLabel] = "true" };
    private static readonly Workload Live = new() { Images = ["registry.example.com/checkout:2.4.0"] };
    private static readonly Workload Hotfix = Live with { Images = [Image] };

    /// <summary>The review the operator opens for erin's break-glass UPDATE of checkout to the hotfix image.</summary>
    private static readonly Approval Retro = new Approval { Name = "break-glass-checkout-0123456789abcdef", RequestedBy = "erin", Labels = Mark }
        .Covering("UPDATE").Binding(Hotfix.ToJson(), Live.ToJson(), ExactPolicy);

    public sealed record Case(Func<AdmissionInput> Request, bool Allowed, string? Fragment = null, string? OperatorUserName = OperatorUser, AdmissionPolicy? Policy = null)
    {
        public void Verify()
        {
            var context = Context(policy: Policy ?? ExactPolicy) with { OperatorUser = OperatorUserName };
            var decision = AdmissionEngine.Decide(Request(), context);
            Assert.True(Allowed == decision.Allowed, $"expected allowed={Allowed}, got {decision.Code}: {decision.Message}");
            if (Fragment is { } f) Assert.Contains(f, decision.Message, StringComparison.Ordinal);
        }
    }

    private static Case Create(Approval a, UserInfo user, bool allowed, string? fragment = null, string? operatorUser = OperatorUser) =>
        new(() => Requests.ApprovalCreate(a, user), allowed, fragment, operatorUser);

    public static readonly Table<Case> Creates = new()
    {
        { "operator, retrospective, requested by the break-glass user: allowed", Create(Retro, Operator, true) },
        { "operator, retrospective without a change (an exec session): allowed", Create(Retro with { ChangeDigest = null, ChangeBase = null }, Operator, true) },
        { "operator, not labelled retrospective, someone else's name: denied", Create(Retro with { Labels = new Dictionary<string, string>() }, Operator, false, "only on a retrospective ChangeApproval") },
        { "operator, label not \"true\": denied", Create(Retro with { Labels = new Dictionary<string, string> { [ChangeApproval.RetrospectiveLabel] = "yes" } }, Operator, false, "spec.requestedBy") },
        { "someone else, retrospective, in erin's name: denied", Create(Retro, Eve, false, "must be your own username \"eve\"") },
        { "erin herself, retrospective, own name: allowed (it admits nothing)", Create(Retro, Erin, true) },
        { "no operator configured (local mode, check): the operator's name is just a user: denied", Create(Retro, Operator, false, "spec.requestedBy", operatorUser: null) },
        { "a user named like the operator with another spelling: denied", Create(Retro, User(OperatorUser + " ", "system:serviceaccounts"), false, "spec.requestedBy") },
        { "operator, retrospective, not empty approvals: denied", Create(Retro.ApprovedBy("alice"), Operator, false, "spec.approvals") },
        { "operator, retrospective, past maxValidity: denied", Create(Retro with { NotBefore = null, ExpiresAt = Now.AddDays(8) }, Operator, false, "maxValidity") },
        { "someone else, retrospective, own name but no change digest under requireExactChange: denied", Create(Retro with { RequestedBy = "eve", ChangeDigest = null, ChangeBase = null }, Eve, false, "spec.change.digest") },
    };

    [Theory, RowsOf(nameof(Creates))]
    public void Create_rule(string name) => Creates[name].Verify();

    private static readonly Approval RetroExpired = Retro with { NotBefore = Now.AddDays(-9), ExpiresAt = Now.AddDays(-2) };
    private static readonly Approval PlainExpired = RetroExpired with { Labels = new Dictionary<string, string>() };

    private static Approval Add(Approval a, string approver) => a with { Approvals = [.. a.Approvals, new Entry(approver, Now)] };

    private static Case Update(Approval old, Approval updated, UserInfo user, bool allowed, string? fragment = null) =>
        new(() => Requests.ApprovalUpdate(old, updated, user), allowed, fragment);

    public static readonly Table<Case> Updates = new()
    {
        { "the label removed: denied", Update(Retro, Retro with { Labels = new Dictionary<string, string>() }, Erin, false, "cannot be added, removed or changed") },
        { "the label removed by the operator: denied", Update(Retro, Retro with { Labels = new Dictionary<string, string>() }, Operator, false, "cannot be added, removed or changed") },
        { "the label set to false: denied", Update(Retro, Retro with { Labels = new Dictionary<string, string> { [ChangeApproval.RetrospectiveLabel] = "false" } }, Erin, false, "cannot be added") },
        { "the label added to an ordinary approval: denied", Update(Retro with { Labels = new Dictionary<string, string>() }, Retro, Eve, false, "cannot be added") },
        { "another label changed, the mark kept: allowed", Update(Retro, Retro with { Labels = new Dictionary<string, string>(Mark) { ["team"] = "pay" } }, Eve, true) },
        { "alice reviews it: allowed", Update(Retro, Add(Retro, "alice"), Alice, true) },
        { "erin reviews her own break glass: denied", Update(Retro, Add(Retro, "erin"), User("erin", ApproverGroup, BreakGlassGroup), false, "requested this change and cannot approve it") },
        { "reviewed after its window: allowed (it admits nothing)", Update(RetroExpired, Add(RetroExpired, "bob"), Bob, true) },
        { "an ordinary approval after its window: still denied", Update(PlainExpired, Add(PlainExpired, "bob"), Bob, false, "expired") },
    };

    [Theory, RowsOf(nameof(Updates))]
    public void Update_rule(string name) => Updates[name].Verify();

    /// <summary>The source the engine is given, unfiltered: what a source other than <see cref="ApprovalIndex"/> could hand it.</summary>
    private sealed class Unfiltered(IReadOnlyList<ChangeApproval> approvals) : IApprovalSource
    {
        public IReadOnlyList<ChangeApproval> Targeting(string ns, string group, string kind, string name) =>
            [.. approvals.Where(a => a.Namespace == ns && a.Target.ApiGroup == group && a.Target.Kind == kind && a.Target.Name == name)];
    }

    public sealed record Use(AdmissionInput Request, Approval Approval, bool ThroughIndex);

    private static readonly Approval ReviewedRetro = Retro.ApprovedBy("alice", "bob");

    /// <summary>Each row's approval, reviewed by two, would admit its request were it not retrospective (<see cref="The_same_approvals_unmarked_admit"/>).</summary>
    public static readonly Table<Use> Uses = new()
    {
        { "UPDATE it binds, through the index", new(Requests.Update(Live, Hotfix), ReviewedRetro, true) },
        { "UPDATE it binds, from an unfiltered source", new(Requests.Update(Live, Hotfix), ReviewedRetro, false) },
        { "CREATE it binds, through the index", new(Requests.Create(Hotfix), ReviewedRetro.Covering("CREATE").Binding(Hotfix.ToJson(), null, ExactPolicy), true) },
        { "CREATE it binds, from an unfiltered source", new(Requests.Create(Hotfix), ReviewedRetro.Covering("CREATE").Binding(Hotfix.ToJson(), null, ExactPolicy), false) },
        { "DELETE it binds, from an unfiltered source", new(Requests.Delete(Live), ReviewedRetro.Covering("DELETE").Binding(Live.ToJson(), null, ExactPolicy), false) },
        { "DELETE it binds, through the index", new(Requests.Delete(Live), ReviewedRetro.Covering("DELETE").Binding(Live.ToJson(), null, ExactPolicy), true) },
    };

    public static TheoryData<string> UseNames => Uses.Names();

    private static DecisionContext ContextFor(Use use, Approval approval) => use.ThroughIndex
        ? Context([approval], ExactPolicy)
        : new DecisionContext(ExactPolicy, new Unfiltered([approval.ToModel()]), Namespaces(), Now);

    [Theory]
    [MemberData(nameof(UseNames))]
    public void A_retrospective_approval_never_admits(string name)
    {
        var use = Uses[name];
        var decision = AdmissionEngine.Decide(use.Request, ContextFor(use, use.Approval));
        Assert.False(decision.Allowed, $"{decision.Code} by {decision.Approval}: {decision.Message}");
        Assert.Null(decision.Approval);
    }

    [Theory]
    [MemberData(nameof(UseNames))]
    public void The_same_approvals_unmarked_admit(string name)
    {
        var use = Uses[name];
        var unmarked = use.Approval with { Labels = new Dictionary<string, string>() };
        var decision = AdmissionEngine.Decide(use.Request, ContextFor(use, unmarked));
        Assert.True(decision.Code == DecisionCode.Approved, $"{decision.Code}: {decision.Message}");
    }

    /// <summary>An approval being deleted (deletionTimestamp set, a finalizer holding it) was withdrawn: it admits nothing.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_approval_being_deleted_admits_nothing(bool throughIndex)
    {
        var approved = (ReviewedRetro with { Labels = new Dictionary<string, string>() }).ToNode();
        approved["metadata"]!["deletionTimestamp"] = "2026-03-06T11:59:00Z";
        approved["metadata"]!["finalizers"] = new System.Text.Json.Nodes.JsonArray("audit.approvals.admission.dev/record");
        var model = ChangeApprovalReader.Read(System.Text.Json.JsonSerializer.SerializeToElement(approved), [], "test")!;
        Assert.True(model.Deleting);
        var context = throughIndex
            ? ContextOf([model], ExactPolicy)
            : new DecisionContext(ExactPolicy, new Unfiltered([model]), Namespaces(), Now);
        var decision = AdmissionEngine.Decide(Requests.Update(Live, Hotfix), context);
        Assert.False(decision.Allowed, $"{decision.Code} by {decision.Approval}");
        Assert.True(AdmissionEngine.Decide(Requests.Update(Live, Hotfix), ContextOf([model with { Deleting = false }], ExactPolicy)).Code == DecisionCode.Approved);
    }

    [Fact]
    public void The_index_leaves_retrospective_approvals_out()
    {
        var index = new ApprovalIndex([ReviewedRetro.ToModel(), (ReviewedRetro with { Name = "ordinary", Labels = new Dictionary<string, string>() }).ToModel()]);
        Assert.Equal(1, index.Count);
        Assert.Equal(["ordinary"], index.Targeting(Tier1, "apps", "Deployment", "checkout").Select(a => a.Name));
    }

    /// <summary>
    /// Over random worlds (requests, users, policies, approvals): with every approval marked
    /// retrospective, no write is ever decided Approved, and every other decision is the one the
    /// world makes without any approvals at all.
    /// </summary>
    [Fact]
    public void Marked_retrospective_no_approval_ever_admits_a_write()
    {
        Worlds.World.Sample(w =>
        {
            var marked = w with { Approvals = [.. w.Approvals.Select(a => a with { Labels = new Dictionary<string, string>(a.Labels) { [ChangeApproval.RetrospectiveLabel] = "true" } })] };
            var decision = marked.Decide();
            Assert.NotEqual(DecisionCode.Approved, decision.Code);
            var none = (w with { Approvals = [] }).Decide();
            Assert.Equal(none.Allowed, decision.Allowed);
            Assert.Equal(none.Code, decision.Code);
        }, iter: 1000, print: w => w.ToString());
    }
}
