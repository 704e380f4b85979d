namespace Admission.Policies.Tests.Properties;

/// <summary>
/// Contract section 2.5 as invariants: an exact-change approval admits an UPDATE only when both
/// the base and the result digests are the approved ones, and once that change is applied it
/// admits no other UPDATE.
/// </summary>
public class ExactChangeProperties
{
    private static readonly string[] Images = [Image, "registry.example.com/checkout:2.4.0", "registry.example.com/evil:1"];
    private static readonly string[] Strategies = ["RollingUpdate", "Recreate"];

    private static readonly Gen<Workload> Workloads =
        Gen.Select(Gen.OneOfConst(Images), Gen.OneOfConst(Strategies), Gen.Int[1, 3], Gen.Bool, Gen.Bool,
            (image, strategy, replicas, annotated, restarted) =>
            {
                var w = new Workload { Images = [image], Strategy = strategy, Replicas = replicas };
                if (annotated) w = w.WithAnnotation("team", "web");
                if (restarted) w = w.WithTemplateAnnotation("kubectl.kubernetes.io/restartedAt", "2026-03-06T11:00:00Z");
                return w;
            });

    private static readonly Gen<AdmissionPolicy> Policies =
        Gen.Select(Gen.Bool, Gen.Bool, (replicas, restarts) => ExactPolicy with { AllowReplicaChanges = replicas, AllowRestarts = restarts });

    private static string D(Workload w, AdmissionPolicy p) => ChangeDigest.Of(w.ToJson(), p);

    [Fact]
    public void No_UPDATE_is_admitted_unless_base_and_result_both_match()
    {
        var approved = 0;
        // Half the cases send exactly the approved change, so that admissions are common enough
        // for the assertions inside to run often; the other half are arbitrary pairs.
        Gen.Select(Workloads, Workloads, Workloads, Workloads, Policies, Gen.Bool).Sample((live, next, anyOld, anyUpdated, policy, asApproved) =>
        {
            var (old, updated) = asApproved ? (live, next) : (anyOld, anyUpdated);
            var approval = new Approval().ApprovedBy("alice", "bob").Binding(next.ToJson(), live.ToJson(), policy);
            var decision = AdmissionEngine.Decide(Requests.Update(old, updated), Context([approval], policy));
            if (decision.Code != DecisionCode.Approved) return;
            Interlocked.Increment(ref approved);
            Assert.Equal(approval.ChangeBase, D(old, policy));
            Assert.Equal(approval.ChangeDigest, D(updated, policy));
        }, iter: 3000);
        Assert.True(approved > 500, $"only {approved} requests were approved; the property barely ran");
    }

    [Fact]
    public void Once_applied_the_approval_admits_no_other_UPDATE()
    {
        Gen.Select(Workloads, Workloads, Workloads, Policies)
            .Where((live, next, _, policy) => D(live, policy) != D(next, policy))
            .Sample((live, next, further, policy) =>
            {
                var approval = new Approval().ApprovedBy("alice", "bob").Binding(next.ToJson(), live.ToJson(), policy);
                var context = Context([approval], policy);
                var first = AdmissionEngine.Decide(Requests.Update(live, next), context);
                Assert.Equal(DecisionCode.Approved, first.Code);
                // The live object is now `next`; nothing further is admitted by this approval.
                var again = AdmissionEngine.Decide(Requests.Update(next, further), context);
                Assert.NotEqual(DecisionCode.Approved, again.Code);
                if (D(next, policy) != D(further, policy)) Assert.False(again.Allowed, $"after the change, {again.Code}: {again.Message}");
            }, iter: 2000);
    }
}
