namespace Admission.Policies.Tests.Rules;

/// <summary>
/// Contract section 2.5 and the Reject rule of section 1: an approval with <c>change</c> admits
/// exactly the change it binds; while requireExactChange is on, one without counts for nothing;
/// one Reject entry blocks it.
/// </summary>
public class ExactChangeTests
{
    private static readonly Workload Live = new() { Images = ["registry.example.com/checkout:2.4.0"] };
    private static readonly Workload Next = Live with { Images = [Image] };
    /// <summary>One more environment variable's worth of difference: another rollout strategy.</summary>
    private static readonly Workload Other = Next with { Strategy = "Recreate" };
    private static readonly Workload Drifted = Live with { Strategy = "Recreate" };

    private static readonly Approval TwoApprovers = new Approval().ApprovedBy("alice", "bob");
    private static readonly Approval BindsUpdate = TwoApprovers.Binding(Next.ToJson(), Live.ToJson());
    private static readonly Approval BindsCreate = TwoApprovers.Binding(Next.ToJson());
    private static readonly Approval BindsDelete = TwoApprovers.Covering("DELETE").Binding(Live.ToJson());

    public sealed record Case(AdmissionInput Request, Approval Approval, DecisionCode Expected, string? Cause = null, string? Fragment = null, AdmissionPolicy? Policy = null)
    {
        public void Verify()
        {
            var decision = AdmissionEngine.Decide(Request, Context([Approval], Policy ?? ExactPolicy));
            Assert.True(Expected == decision.Code, $"expected {Expected}, got {decision.Code}: {decision.Message}");
            Assert.Equal(Expected == DecisionCode.Approved ? Approval.Key : null, decision.Approval);
            if (Cause is { } code) Assert.Contains(decision.Causes, c => c.Code == code && c.Approval == Approval.Name);
            if (Fragment is { } f) Assert.Contains(f, decision.Message, StringComparison.Ordinal);
        }
    }

    private static AdmissionInput Update(Workload old, Workload updated) => Requests.Update(old, updated);

    public static readonly Table<Case> Cases = new()
    {
        // UPDATE: digest of object and base of oldObject.
        { "UPDATE, result and base match: approved", new(Update(Live, Next), BindsUpdate, Approved) },
        { "UPDATE, result differs: denied, saying the result differs", new(Update(Live, Other), BindsUpdate, Denied, DenialCauses.ChangeDigestDiffers, "the result differs") },
        { "UPDATE, base differs (live object drifted): denied, saying the base differs", new(Update(Drifted, Next), BindsUpdate, Denied, DenialCauses.ChangeBaseDiffers, "the base differs") },
        { "UPDATE after it was applied (base is now the result): denied", new(Update(Next, Other), BindsUpdate, Denied, DenialCauses.ChangeBaseDiffers) },
        { "UPDATE, approval binds no base: denied", new(Update(Live, Next), TwoApprovers.Binding(Next.ToJson()), Denied, DenialCauses.ChangeBaseMissing) },
        { "UPDATE, metadata differs only: same digests, approved", new(Update(Live.WithAnnotation("team", "web"), Next.WithAnnotation("x", "y") with { Generation = 7 }), BindsUpdate, Approved) },
        { "UPDATE, replica count differs only (allowReplicaChanges): approved", new(Update(Live with { Replicas = 9 }, Next with { Replicas = 5 }), BindsUpdate, Approved) },
        { "UPDATE, replica count differs, allowReplicaChanges false: denied", new(Update(Live, Next with { Replicas = 5 }), TwoApprovers.Binding(Next.ToJson(), Live.ToJson(), ExactPolicy with { AllowReplicaChanges = false }), Denied, DenialCauses.ChangeDigestDiffers, Policy: ExactPolicy with { AllowReplicaChanges = false }) },
        { "UPDATE, restartedAt differs only (allowRestarts): approved", new(Update(Live, Next.WithTemplateAnnotation("kubectl.kubernetes.io/restartedAt", "2026-03-06T11:00:00Z")), BindsUpdate, Approved) },
        { "UPDATE, restartedAt differs, allowRestarts false: denied", new(Update(Live, Next.WithTemplateAnnotation("kubectl.kubernetes.io/restartedAt", "2026-03-06T11:00:00Z")), BindsUpdate, Denied, DenialCauses.ChangeDigestDiffers, Policy: ExactPolicy with { AllowRestarts = false }) },

        // CREATE: digest of object, base absent.
        { "CREATE, result matches: approved", new(Requests.Create(Next), BindsCreate, Approved) },
        { "CREATE, result differs: denied", new(Requests.Create(Other), BindsCreate, Denied, DenialCauses.ChangeDigestDiffers) },
        { "CREATE, approval carries a base: denied", new(Requests.Create(Next), BindsUpdate, Denied, DenialCauses.ChangeBaseUnexpected) },

        // DELETE: digest of oldObject.
        { "DELETE, the deleted object matches: approved", new(Requests.Delete(Live), BindsDelete, Approved) },
        { "DELETE, another object than approved: denied", new(Requests.Delete(Drifted), BindsDelete, Denied, DenialCauses.ChangeDigestDiffers, "the object being deleted is") },

        // requireExactChange.
        { "no change, requireExactChange (default): counts for nothing", new(Update(Live, Next), TwoApprovers, Denied, DenialCauses.NoExactChange, "requireExactChange") },
        { "no change, requireExactChange false: approved", new(Update(Live, Next), TwoApprovers, Approved, Policy: ExactPolicy with { RequireExactChange = false }) },
        { "change present, requireExactChange false: still binds", new(Update(Live, Other), BindsUpdate, Denied, DenialCauses.ChangeDigestDiffers, Policy: ExactPolicy with { RequireExactChange = false }) },

        // The other rules still hold on an exact-change approval.
        { "exact change, one approval: denied", new(Update(Live, Next), new Approval().ApprovedBy("alice").Binding(Next.ToJson(), Live.ToJson()), Denied, DenialCauses.MissingApprovals) },
        { "exact change, expired: denied", new(Update(Live, Next), BindsUpdate with { NotBefore = Now.AddHours(-5), ExpiresAt = Now.AddHours(-1) }, Denied, DenialCauses.Expired) },
        { "exact change, UPDATE not listed: denied", new(Update(Live, Next), BindsUpdate.Covering("CREATE"), Denied, DenialCauses.OperationNotCovered) },

        // Reject.
        { "a Reject entry blocks a valid approval, naming who and their comment", new(Update(Live, Next), BindsUpdate.RejectedBy("dave", "not during the sale"), Denied, DenialCauses.Rejected, "rejected by dave: \"not during the sale\"") },
        { "a Reject entry blocks even with three approvals", new(Update(Live, Next), BindsUpdate.ApprovedBy("erin").RejectedBy("dave"), Denied, DenialCauses.Rejected) },
        { "a Reject entry by the requester blocks too", new(Update(Live, Next), BindsUpdate.RejectedBy(Requester), Denied, DenialCauses.Rejected) },
        { "Reject entries do not count as approvals", new(Update(Live, Next), new Approval().ApprovedBy("alice").RejectedBy("bob").Binding(Next.ToJson(), Live.ToJson()), Denied, DenialCauses.MissingApprovals) },
        { "an explicit Approve decision counts", new(Update(Live, Next), (new Approval() with { Approvals = [new Entry("alice", Now.AddMinutes(-5), null, "Approve"), new Entry("bob", Now.AddMinutes(-5), null, "Approve")] }).Binding(Next.ToJson(), Live.ToJson()), Approved) },
    };

    [Theory, RowsOf(nameof(Cases))]
    public void Rule(string name) => Cases[name].Verify();

    [Fact]
    public void No_targeting_approval_is_its_own_cause_and_the_message_says_how_to_request_with_a_manifest()
    {
        var decision = AdmissionEngine.Decide(Update(Live, Next), Context([], ExactPolicy));
        Assert.Equal([DenialCauses.NoApproval], decision.Causes.Select(c => c.Code));
        Assert.Contains("kubectl change request deployment/checkout -n payments -f", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_targeting_approval_gets_its_own_causes()
    {
        var drift = BindsUpdate with { Name = "a-drift", ChangeBase = TwoApprovers.Binding(Drifted.ToJson()).ChangeDigest };
        var wrong = BindsUpdate with { Name = "b-wrong", ChangeDigest = TwoApprovers.Binding(Other.ToJson()).ChangeDigest };
        var decision = AdmissionEngine.Decide(Update(Live, Next), Context([drift, wrong], ExactPolicy));
        Assert.False(decision.Allowed);
        Assert.Contains(decision.Causes, c => c is { Approval: "a-drift", Code: DenialCauses.ChangeBaseDiffers });
        Assert.Contains(decision.Causes, c => c is { Approval: "b-wrong", Code: DenialCauses.ChangeDigestDiffers });
        Assert.DoesNotContain(decision.Causes, c => c is { Approval: "a-drift", Code: DenialCauses.ChangeDigestDiffers });
    }

    [Fact]
    public void Decisions_on_Tier1_workloads_carry_the_digest_and_others_do_not()
    {
        var tier1 = AdmissionEngine.Decide(Update(Live, Next), Context([BindsUpdate], ExactPolicy));
        Assert.Equal(BindsUpdate.ChangeDigest, tier1.Digest);
        var exempt = AdmissionEngine.Decide(Requests.Update(Live, Next, User("root", "ops")), Context([], ExactPolicy with { ExemptGroups = Set("ops") }));
        Assert.Equal(Exempt, exempt.Code);
        Assert.Equal(BindsUpdate.ChangeDigest, exempt.Digest);
        var plain = AdmissionEngine.Decide(Update(Live with { Namespace = Plain }, Next with { Namespace = Plain }), Context([], ExactPolicy));
        Assert.Equal(NotGuarded, plain.Code);
        Assert.Null(plain.Digest);
    }
}
