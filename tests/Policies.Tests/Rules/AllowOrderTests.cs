namespace Admission.Policies.Tests.Rules;

/// <summary>
/// Contract section 2, ways 1 to 3 and their order: exempt, no approval needed, break glass.
/// Every request here is in the Tier-1 namespace; without the rule under test it would be denied.
/// </summary>
public class AllowOrderTests
{
    private static readonly Workload Deploy = new();
    private static readonly Workload NewImage = Deploy with { Images = ["registry.example.com/checkout:2.5.0"] };
    private static readonly Approval Valid = new Approval().ApprovedBy("alice", "bob");

    private static readonly UserInfo Exempt = User("ci-bot", "ci");
    private static readonly AdmissionPolicy ExemptCiBot = Policy with { ExemptUsers = Set("ci-bot") };
    private static readonly AdmissionPolicy ExemptCiGroup = Policy with { ExemptGroups = Set("ci") };
    private static readonly AdmissionPolicy NoReplicas = Policy with { AllowReplicaChanges = false };
    private static readonly UserInfo Oncall = User("olga", "oncall", BreakGlassGroup);

    private static Row Update(Workload old, Workload updated, DecisionCode expected, AdmissionPolicy? policy = null, UserInfo? user = null, IEnumerable<Approval>? approvals = null, string? approval = null) =>
        new(Requests.Update(old, updated, user), Context(approvals, policy), expected, approval);

    public static readonly Table<Row> Cases = new()
    {
        // 1. Exempt.
        { "exempt user: image change allowed", Update(Deploy, NewImage, DecisionCode.Exempt, ExemptCiBot, Exempt) },
        { "exempt user: CREATE allowed", new(Requests.Create(Deploy, Exempt), Context(policy: ExemptCiBot), DecisionCode.Exempt) },
        { "exempt user: DELETE allowed", new(Requests.Delete(Deploy, Exempt), Context(policy: ExemptCiBot), DecisionCode.Exempt) },
        { "exempt group: image change allowed", Update(Deploy, NewImage, DecisionCode.Exempt, ExemptCiGroup, Exempt) },
        { "exemptUsers names someone else: denied", Update(Deploy, NewImage, Denied, Policy with { ExemptUsers = Set("other-bot") }, Exempt) },
        { "exemptGroups names another group: denied", Update(Deploy, NewImage, Denied, Policy with { ExemptGroups = Set("release") }, Exempt) },
        { "a username equal to an exempt group's name is not exempt", Update(Deploy, NewImage, Denied, ExemptCiGroup, User("ci", "developers")) },

        // 2. No approval needed.
        { "metadata-only UPDATE (labels, annotations): allowed", Update(Deploy, (Deploy with { Labels = new Dictionary<string, string> { ["app"] = "checkout", ["owner"] = "pay" } }).WithAnnotation("note", "x"), NoApprovalNeeded) },
        { "metadata-only UPDATE (generation): allowed", Update(Deploy, Deploy with { Generation = 7 }, NoApprovalNeeded) },
        { "status-only UPDATE: allowed", Update(Deploy, Deploy with { ObservedGeneration = 9 }, NoApprovalNeeded) },
        { "replicas-only UPDATE, allowReplicaChanges true: allowed", Update(Deploy, Deploy with { Replicas = 10 }, NoApprovalNeeded) },
        { "replicas-only UPDATE, allowReplicaChanges false: needs approval", Update(Deploy, Deploy with { Replicas = 10 }, Denied, NoReplicas) },
        { "replicas-only UPDATE, allowReplicaChanges false, valid approval: approved", Update(Deploy, Deploy with { Replicas = 10 }, Approved, NoReplicas, approvals: [Valid], approval: Valid.Key) },
        { "metadata-only UPDATE, allowReplicaChanges false: allowed", Update(Deploy, Deploy.WithAnnotation("note", "x"), NoApprovalNeeded, NoReplicas) },
        { "replicas and image UPDATE: needs approval", Update(Deploy, NewImage with { Replicas = 10 }, Denied) },
        { "other spec field (strategy) UPDATE: needs approval", Update(Deploy, Deploy with { Strategy = "Recreate" }, Denied) },
        { "image UPDATE: needs approval", Update(Deploy, NewImage, Denied) },
        { "init container image UPDATE: needs approval", Update(Deploy, Deploy with { InitImages = ["busybox:1"] }, Denied) },
        { "scale subresource, allowReplicaChanges true: allowed", new(Requests.Scale(Deploy, Deploy with { Replicas = 10 }), Context(), NoApprovalNeeded) },
        { "scale subresource, allowReplicaChanges false: needs approval", new(Requests.Scale(Deploy, Deploy with { Replicas = 10 }), Context(policy: NoReplicas), Denied) },
        { "scale subresource, allowReplicaChanges false, valid approval: approved", new(Requests.Scale(Deploy, Deploy with { Replicas = 10 }), Context([Valid], NoReplicas), Approved, Valid.Key) },
        { "scale subresource of a StatefulSet, allowReplicaChanges false: needs approval", new(Requests.Scale(Deploy with { Kind = "StatefulSet" }, Deploy with { Kind = "StatefulSet", Replicas = 10 }), Context(policy: NoReplicas), Denied) },
        { "scale subresource of an unguarded kind: not guarded", new(Requests.Scale(Deploy with { Group = "example.com", Kind = "Widget" }, Deploy with { Group = "example.com", Kind = "Widget", Replicas = 10 }), Context(policy: NoReplicas), NotGuarded) },
        { "CREATE is never a no-change update, even with an identical old object", new(Requests.Create(Deploy) with { OldObject = Deploy.ToJson() }, Context(), Denied) },
        { "DELETE is never a no-change update, even with an identical new object", new(Requests.Delete(Deploy) with { Object = Deploy.ToJson() }, Context(), Denied) },

        // 3. Break glass.
        { "break glass: reason and group: allowed", Update(Deploy, NewImage.WithBreakGlass("INC-4411 outage"), BreakGlass, user: Oncall) },
        { "break glass: DELETE with the annotation on the deleted object: allowed", new(Requests.Delete(Deploy.WithBreakGlass("INC-4411"), Oncall), Context(), BreakGlass) },
        { "break glass: CREATE with reason and group: allowed", new(Requests.Create(NewImage.WithBreakGlass("INC-4411"), Oncall), Context(), BreakGlass) },
        { "break glass: annotation but not in a break-glass group: denied", Update(Deploy, NewImage.WithBreakGlass("INC-4411"), Denied, user: Deployer) },
        { "break glass: group but no annotation: denied", Update(Deploy, NewImage, Denied, user: Oncall) },
        { "break glass: empty reason: denied", Update(Deploy, NewImage.WithBreakGlass(""), Denied, user: Oncall) },
        { "break glass: whitespace-only reason: denied", Update(Deploy, NewImage.WithBreakGlass("  \t "), Denied, user: Oncall) },
        { "break glass: annotation only on the old object of an UPDATE: denied", Update(Deploy.WithBreakGlass("INC-1"), NewImage, Denied, user: Oncall) },
        { "break glass: custom breakGlassGroups replaces the default", Update(Deploy, NewImage.WithBreakGlass("INC-1"), Denied, Policy with { BreakGlassGroups = Set("sre") }, Oncall) },
        { "break glass: member of a custom breakGlassGroups: allowed", Update(Deploy, NewImage.WithBreakGlass("INC-1"), BreakGlass, Policy with { BreakGlassGroups = Set("sre") }, User("olga", "sre")) },

        // Order.
        { "order: exempt beats no-approval-needed", Update(Deploy, Deploy with { Replicas = 10 }, DecisionCode.Exempt, ExemptCiBot, Exempt) },
        { "order: exempt beats break glass", Update(Deploy, NewImage.WithBreakGlass("INC-1"), DecisionCode.Exempt, ExemptCiBot, User("ci-bot", BreakGlassGroup)) },
        { "order: exempt beats a valid approval", Update(Deploy, NewImage, DecisionCode.Exempt, ExemptCiBot, Exempt, [Valid]) },
        { "order: a no-change UPDATE needs no approval even when none exists", Update(Deploy, Deploy.WithAnnotation("kubectl.kubernetes.io/restartedAt", "now"), NoApprovalNeeded) },
        { "order: no-approval-needed beats break glass (no warning)", Update(Deploy.WithBreakGlass("INC-1"), Deploy.WithBreakGlass("INC-1") with { Replicas = 5 }, NoApprovalNeeded, user: Oncall) },
        { "order: no-approval-needed beats a valid approval", Update(Deploy, Deploy with { Replicas = 5 }, NoApprovalNeeded, approvals: [Valid]) },
        { "order: break glass beats a valid approval", Update(Deploy, NewImage.WithBreakGlass("INC-1"), BreakGlass, user: Oncall, approvals: [Valid]) },
        { "order: break glass refused, a valid approval still admits", Update(Deploy, NewImage.WithBreakGlass("INC-1"), Approved, user: Deployer, approvals: [Valid], approval: Valid.Key) },
    };

    [Theory, RowsOf(nameof(Cases))]
    public void Rule(string name) => Cases[name].Verify();

    [Fact]
    public void Break_glass_warning_names_the_user_the_object_and_the_reason()
    {
        var decision = AdmissionEngine.Decide(Requests.Update(Deploy, NewImage.WithBreakGlass("INC-4411 outage"), Oncall), Context());

        Assert.Equal(BreakGlass, decision.Code);
        Assert.Null(decision.Approval);
        var warning = Assert.Single(decision.Warnings);
        Assert.Contains("olga", warning, StringComparison.Ordinal);
        Assert.Contains("INC-4411 outage", warning, StringComparison.Ordinal);
        Assert.Contains("payments/checkout", warning, StringComparison.Ordinal);
        Assert.Equal("break-glass", decision.Code.ToWire());
    }

    [Fact]
    public void Break_glass_annotation_without_the_group_is_called_out_in_the_denial()
    {
        var decision = AdmissionEngine.Decide(Requests.Update(Deploy, NewImage.WithBreakGlass("INC-1")), Context());

        Assert.False(decision.Allowed);
        Assert.Contains("break-glass", decision.Message, StringComparison.Ordinal);
        Assert.Contains(BreakGlassGroup, decision.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(NotGuarded, "not-guarded")]
    [InlineData(DecisionCode.Exempt, "exempt")]
    [InlineData(NoApprovalNeeded, "no-approval-needed")]
    [InlineData(BreakGlass, "break-glass")]
    [InlineData(Approved, "approved")]
    [InlineData(Denied, "denied")]
    public void Decision_codes_have_the_contract_audit_values(DecisionCode code, string wire) => Assert.Equal(wire, code.ToWire());
}
