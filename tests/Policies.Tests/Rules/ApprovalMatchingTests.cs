namespace Admission.Policies.Tests.Rules;

/// <summary>
/// Contract sections 1 and 2, way 4: a valid ChangeApproval in the same namespace whose target,
/// operations and images cover exactly this change.
/// </summary>
public class ApprovalMatchingTests
{
    private const string Other = "registry.example.com/evil:1.0";
    private static readonly Workload Deploy = new();
    private static readonly Workload NewImage = Deploy with { Images = [Image] };
    private static readonly Workload Old = Deploy with { Images = ["registry.example.com/checkout:2.4.0"] };
    private static readonly Approval Valid = new Approval().ApprovedBy("alice", "bob");
    private static readonly DateTimeOffset NotBefore = Valid.NotBefore!.Value;
    private static readonly DateTimeOffset ExpiresAt = Valid.ExpiresAt!.Value;

    /// <summary>An UPDATE to <see cref="Image"/> with one approval in the world.</summary>
    private static Row Update(Approval approval, DecisionCode expected, Workload? updated = null, DateTimeOffset? now = null, AdmissionPolicy? policy = null) =>
        new(Requests.Update(Old, updated ?? NewImage), Context([approval], policy, now: now), expected, expected == Approved ? approval.Key : null);

    private static Row Op(Operation op, Approval approval, DecisionCode expected) =>
        new(Requests.Change(op, Old, NewImage), Context([approval]), expected, expected == Approved ? approval.Key : null);

    public static readonly Table<Row> Cases = new()
    {
        { "two approvers, everything matches: approved", Update(Valid, Approved) },
        { "no approvals at all: denied", new(Requests.Update(Old, NewImage), Context(), Denied) },

        // Target and namespace.
        { "target apiGroup differs: denied", Update(Valid with { ApiGroup = "extensions" }, Denied) },
        { "target apiGroup left out defaults to apps: approved", Update(Valid with { ApiGroup = null }, Approved) },
        { "target apiGroup \"\" (core) does not match apps: denied", Update(Valid with { ApiGroup = "" }, Denied) },
        { "target kind differs: denied", Update(Valid with { Kind = "StatefulSet" }, Denied) },
        { "target name differs: denied", Update(Valid with { TargetName = "checkout-canary" }, Denied) },
        { "target name differs only in case: denied", Update(Valid with { TargetName = "Checkout" }, Denied) },
        { "approval in another namespace: denied", Update(Valid with { Namespace = Plain }, Denied) },
        { "StatefulSet of the same name, approval for the Deployment: denied", new(Requests.Update(Old with { Kind = "StatefulSet" }, NewImage with { Kind = "StatefulSet" }), Context([Valid]), Denied) },

        // Operations.
        { "default operations cover CREATE", Op(Operation.Create, Valid, Approved) },
        { "default operations cover UPDATE", Op(Operation.Update, Valid, Approved) },
        { "default operations do not cover DELETE", Op(Operation.Delete, Valid, Denied) },
        { "DELETE listed: DELETE approved", Op(Operation.Delete, Valid.Covering("DELETE"), Approved) },
        { "only DELETE listed: UPDATE denied", Op(Operation.Update, Valid.Covering("DELETE"), Denied) },
        { "only CREATE listed: UPDATE denied", Op(Operation.Update, Valid.Covering("CREATE"), Denied) },
        { "only UPDATE listed: CREATE denied", Op(Operation.Create, Valid.Covering("UPDATE"), Denied) },
        { "all three listed: DELETE approved", Op(Operation.Delete, Valid.Covering("CREATE", "UPDATE", "DELETE"), Approved) },

        // Images.
        { "images empty: any image approved", Update(Valid, Approved, NewImage with { Images = [Other] }) },
        { "image listed: approved", Update(Valid with { Images = [Image] }, Approved) },
        { "container image not listed: denied", Update(Valid with { Images = [Image] }, Denied, NewImage with { Images = [Image, Other] }) },
        { "init container image not listed: denied", Update(Valid with { Images = [Image] }, Denied, NewImage with { InitImages = [Other] }) },
        { "ephemeral container image not listed: denied", Update(Valid with { Images = [Image] }, Denied, NewImage with { EphemeralImages = [Other] }) },
        { "containers, init and ephemeral containers all listed: approved", Update(Valid with { Images = [Image, "busybox:1.36", "debug:1"] }, Approved, NewImage with { InitImages = ["busybox:1.36"], EphemeralImages = ["debug:1"] }) },
        { "image match is exact: a digest-pinned image is another string", Update(Valid with { Images = [Image] }, Denied, NewImage with { Images = [Image + "@sha256:0123456789abcdef"] }) },
        { "image match is exact: no prefix match", Update(Valid with { Images = ["registry.example.com/checkout"] }, Denied) },
        { "image match is exact: case matters", Update(Valid with { Images = [Image.ToUpperInvariant()] }, Denied) },
        { "image listed in the old object only does not matter: the new object is judged", new(Requests.Update(Deploy with { Images = [Other] }, NewImage), Context([Valid with { Images = [Image] }]), Approved, Valid.Key) },
        { "DELETE with images: the deleted object's images are judged", new(Requests.Delete(Deploy with { Images = [Other] }), Context([Valid.Covering("DELETE") with { Images = [Image] }]), Denied) },

        // Validity window: notBefore <= now < expiresAt.
        { "now exactly at notBefore: approved", Update(Valid, Approved, now: NotBefore) },
        { "one second before notBefore: denied", Update(Valid, Denied, now: NotBefore.AddSeconds(-1)) },
        { "one second before expiresAt: approved", Update(Valid, Approved, now: ExpiresAt.AddSeconds(-1)) },
        { "now exactly at expiresAt: denied", Update(Valid, Denied, now: ExpiresAt) },
        { "after expiresAt: denied", Update(Valid, Denied, now: ExpiresAt.AddDays(1)) },
        { "no notBefore: valid from the start", Update(Valid with { NotBefore = null }, Approved, now: Now.AddDays(-30)) },

        // Counting approvers.
        { "one approver: denied", Update(new Approval().ApprovedBy("alice"), Denied) },
        { "requester's own entry does not count: denied", Update(new Approval().ApprovedBy(Requester, "alice"), Denied) },
        { "requester's own entry plus two others: approved", Update(new Approval().ApprovedBy(Requester, "alice", "bob"), Approved) },
        { "duplicate approver counted once: denied", Update(new Approval().ApprovedBy("alice", "alice"), Denied) },
        { "duplicate approver plus another: approved", Update(new Approval().ApprovedBy("alice", "alice", "bob"), Approved) },
        { "requiredApprovals 3, two approvers: denied", Update(Valid, Denied, policy: Policy with { RequiredApprovals = 3 }) },
        { "requiredApprovals 3, three approvers: approved", Update(Valid.ApprovedBy("erin"), Approved, policy: Policy with { RequiredApprovals = 3 }) },
        { "requiredApprovals 3 from the policy file, two approvers: denied", Update(Valid, Denied, policy: ParsePolicy("requiredApprovals: 3")) },
    };

    [Theory, RowsOf(nameof(Cases))]
    public void Rule(string name) => Cases[name].Verify();

    [Fact]
    public void Approved_decision_names_the_approval_as_namespace_slash_name_and_the_approvers()
    {
        var decision = AdmissionEngine.Decide(Requests.Update(Old, NewImage), Context([Valid]));

        Assert.True(decision.Allowed);
        Assert.Equal(Approved, decision.Code);
        Assert.Equal("payments/checkout-2-4-1", decision.Approval);
        Assert.Contains("alice", decision.Message, StringComparison.Ordinal);
        Assert.Contains("bob", decision.Message, StringComparison.Ordinal);
    }

    public static TheoryData<int[]> Orders => new() { new[] { 0, 1, 2 }, new[] { 0, 2, 1 }, new[] { 1, 0, 2 }, new[] { 1, 2, 0 }, new[] { 2, 0, 1 }, new[] { 2, 1, 0 } };

    [Theory]
    [MemberData(nameof(Orders))]
    public void Several_valid_approvals_the_same_one_is_chosen_whatever_the_order(int[] order)
    {
        Approval[] valid =
        [
            Valid with { Name = "release-b" },
            (Valid with { Name = "release-a", Approvals = [] }).ApprovedBy("erin", "frank"),
            Valid with { Name = "release-c", ExpiresAt = Now.AddHours(1) },
        ];
        var reference = AdmissionEngine.Decide(Requests.Update(Old, NewImage), Context(valid));

        var indexed = AdmissionEngine.Decide(Requests.Update(Old, NewImage), Context(order.Select(i => valid[i])));
        // A source that answers in the order given, as a cache might: the rules must not lean on the index's sorting.
        var decision = AdmissionEngine.Decide(Requests.Update(Old, NewImage), Context() with { Approvals = new ListSource(order.Select(i => valid[i].ToModel())) });

        Assert.Equal(reference.Approval, indexed.Approval);

        Assert.Equal(Approved, decision.Code);
        Assert.Equal(reference.Approval, decision.Approval);
        Assert.Equal(reference.Message, decision.Message);
        Assert.Contains(decision.Approval, valid.Select(v => v.Key));
    }

    [Fact]
    public void An_invalid_approval_that_sorts_first_does_not_hide_a_valid_one()
    {
        Approval[] world =
        [
            new Approval { Name = "a-expired", ExpiresAt = Now.AddMinutes(-1), NotBefore = Now.AddHours(-2) }.ApprovedBy("alice", "bob"),
            new Approval { Name = "b-one-approver" }.ApprovedBy("alice"),
            Valid with { Name = "z-valid" },
        ];

        var decision = AdmissionEngine.Decide(Requests.Update(Old, NewImage), Context(world));

        Assert.Equal(Approved, decision.Code);
        Assert.Equal("payments/z-valid", decision.Approval);
    }
}
