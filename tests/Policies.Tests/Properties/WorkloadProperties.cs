namespace Admission.Policies.Tests.Properties;

/// <summary>Properties of workload decisions (contract section 2) over random worlds.</summary>
public class WorkloadProperties
{
    private const long Iterations = 1500;

    private static string Print(World w) => w.ToString();

    /// <summary>
    /// (a) Nothing in a Tier-1 namespace is admitted with fewer than requiredApprovals distinct
    /// non-requester approvers in the approval used, unless the decision is exempt, break-glass or
    /// no-approval-needed, and each of those only when its condition holds (in contract order).
    /// </summary>
    [Fact]
    public void No_change_is_admitted_without_enough_approvers_unless_exempt_break_glass_or_no_change()
    {
        Worlds.World.Sample(w =>
        {
            var d = w.Decide();
            if (!d.Allowed) return;
            switch (d.Code)
            {
                case DecisionCode.Exempt:
                    Assert.True(Oracle.IsExempt(w), "exempt although the user is not");
                    break;
                case NoApprovalNeeded:
                    Assert.True(Oracle.NeedsNoApproval(w), "no-approval-needed for a change outside metadata/status/replicas");
                    Assert.False(Oracle.IsExempt(w), "exempt must be checked first");
                    break;
                case BreakGlass:
                    Assert.True(Oracle.BreaksGlass(w), "break-glass without a reason and a break-glass group");
                    Assert.False(Oracle.IsExempt(w) || Oracle.NeedsNoApproval(w), "break-glass is checked after exempt and no-change");
                    break;
                case Approved:
                    var used = Assert.Single(w.Approvals, a => a.Key == d.Approval);
                    Assert.True(Oracle.CountedApprovers(used) >= w.Policy.RequiredApprovals,
                        $"admitted by {used.Key} with {Oracle.CountedApprovers(used)} of {w.Policy.RequiredApprovals} approvers");
                    Assert.False(Oracle.IsExempt(w) || Oracle.NeedsNoApproval(w) || Oracle.BreaksGlass(w), "an earlier way should have decided");
                    break;
                default:
                    Assert.Fail($"{d.Code} for a workload in a Tier-1 namespace");
                    break;
            }
        }, iter: Iterations, print: Print);
    }

    /// <summary>The converse: a denial only when none of the four ways holds.</summary>
    [Fact]
    public void A_change_is_denied_only_when_no_way_to_allow_it_holds()
    {
        Worlds.World.Sample(w =>
        {
            var d = w.Decide();
            var allowable = Oracle.IsExempt(w) || Oracle.NeedsNoApproval(w) || Oracle.BreaksGlass(w) || w.Approvals.Any(a => Oracle.Admits(a, w));
            Assert.Equal(allowable, d.Allowed);
            Assert.Equal(d.Allowed, d.Code != Denied);
        }, iter: Iterations, print: Print);
    }

    /// <summary>
    /// (b) The decision, message and warnings do not depend on the order of the ChangeApprovals
    /// or of the entries inside each one.
    /// </summary>
    [Fact]
    public void Decision_does_not_depend_on_the_order_of_approvals_or_their_entries()
    {
        var gen = Worlds.World.SelectMany(w =>
            Gen.Shuffle(w.Approvals.ToArray())
                .SelectMany(shuffled => ShuffleEntries(shuffled))
                .Select(reordered => (w, w with { Approvals = reordered })));

        gen.Sample((original, reordered) =>
        {
            var a = original.Decide();
            // Once through the index, and once through a source that keeps the given order.
            foreach (var b in new[] { reordered.Decide(), AdmissionEngine.Decide(reordered.Request, Unordered(reordered)) })
            {
                Assert.Equal(a.Allowed, b.Allowed);
                Assert.Equal(a.Code, b.Code);
                Assert.Equal(a.Approval, b.Approval);
                Assert.Equal(a.Message, b.Message);
                Assert.Equal(a.Warnings, b.Warnings);
            }
        }, iter: Iterations, print: t => $"original:\n{t.Item1}\nreordered:\n{t.Item2}");
    }

    private static DecisionContext Unordered(World w) => w.Context with { Approvals = new ListSource(w.Approvals.Select(a => a.ToModel())) };

    private static Gen<Approval[]> ShuffleEntries(Approval[] approvals) =>
        approvals.Aggregate(
            Gen.Const(Array.Empty<Approval>()),
            (acc, a) => acc.SelectMany(done => Gen.Shuffle(a.Approvals.ToArray()).Select(entries => (Approval[])[.. done, a with { Approvals = entries }])));

    /// <summary>(d) An Approved decision names an approval that is valid now and covers exactly this change.</summary>
    [Fact]
    public void Approved_always_names_a_valid_approval_that_targets_the_object()
    {
        var approvedSeen = 0;
        Worlds.World.Sample(w =>
        {
            var d = w.Decide();
            if (d.Code != Approved) return;
            Interlocked.Increment(ref approvedSeen);
            Assert.True(d.Allowed);
            var used = Assert.Single(w.Approvals, a => a.Key == d.Approval);
            Assert.Equal($"{used.Namespace}/{used.Name}", d.Approval);
            Assert.True(Oracle.InWindow(used, Now), $"{used.Key} is not valid at {Now:O}");
            Assert.True(Oracle.CountedApprovers(used) >= w.Policy.RequiredApprovals, $"{used.Key} lacks approvers");
            Assert.True(Oracle.Targets(used, w.Subject), $"{used.Key} targets another object");
            Assert.True(Oracle.Covers(used, w.Op), $"{used.Key} does not cover {w.Op.ToWire()}");
            Assert.True(Oracle.ImagesHold(used, w.Subject), $"{used.Key} does not approve every image");
        }, iter: Iterations, print: Print);
        Assert.True(approvedSeen > 0, "the generator never produced an approved decision");
    }

    /// <summary>
    /// (c) An approval that is valid in every other way never admits a different target group,
    /// kind or name, another namespace, an operation it does not list, or an image it does not list.
    /// </summary>
    [Fact]
    public void A_valid_approval_never_admits_another_target_namespace_operation_or_image()
    {
        var gen =
            from op in Gen.OneOfConst(Operation.Create, Operation.Update, Operation.Delete)
            from subject in Worlds.Workload.Select(w => w with { Annotations = new Dictionary<string, string>() })
            from required in Gen.Int[2, 4]
            from approvers in Gen.Shuffle(Worlds.Users.Where(u => Oracle.Person(u) == u && u != Requester).ToArray())
            from extra in Gen.Int[0, 4 - required + 1]
            from pinImages in Gen.Bool
            from mismatch in Gen.Int[0, Mismatches.Length - 1]
            from pick in Gen.Int[0, 9]
            from decoys in Gen.Int[0, Mismatches.Length - 1].Array[0, 3]
            select new Misfit(op, subject, required, approvers.Take(required + extra).ToArray(), pinImages, mismatch, pick, decoys);

        gen.Sample(m =>
        {
            var exact = m.Exact();
            var near = Mismatches[m.Mismatch](exact, m) with { Name = "near" };
            var others = m.Decoys.Select((k, i) => Mismatches[k](exact, m) with { Name = $"decoy-{i}" });
            var policy = Policy with { RequiredApprovals = m.Required };
            var old = m.Op == Operation.Delete ? m.Subject : m.Subject with { Images = ["img/old:0"] };
            var request = Requests.Change(m.Op, old, m.Subject, Deployer);

            var control = AdmissionEngine.Decide(request, Context([exact], policy));
            var decision = AdmissionEngine.Decide(request, Context([near, .. others], policy));

            Assert.Equal(Approved, control.Code);
            Assert.False(decision.Allowed, $"admitted by {decision.Approval}: {Worlds.Describe(near)}");
            Assert.Equal(Denied, decision.Code);
        }, iter: Iterations, print: m => m.ToString());
    }

    public sealed record Misfit(Operation Op, Workload Subject, int Required, string[] Approvers, bool PinImages, int Mismatch, int Pick, int[] Decoys)
    {
        /// <summary>An approval that admits exactly this change.</summary>
        public Approval Exact()
        {
            var images = Oracle.AllImages(Subject).Distinct().ToArray();
            return new Approval { Operations = [Op.ToWire()], Images = PinImages ? images : [] }.ApprovedBy(Approvers);
        }

        public override string ToString() =>
            $"{Op.ToWire()} {Worlds.Describe(Subject)} required={Required} approvers=[{string.Join(",", Approvers)}] mismatch={Mismatch} pick={Pick} decoys=[{string.Join(",", Decoys)}]";
    }

    private static string Choose(Misfit m, params string[] options) => options[m.Pick % options.Length];

    /// <summary>Each turns an exact approval into one that differs in one thing that matters.</summary>
    private static readonly Func<Approval, Misfit, Approval>[] Mismatches =
    [
        (a, m) => a with { ApiGroup = Choose(m, "extensions", "", "apps.example.com") },
        (a, m) => a with { Kind = Choose(m, "StatefulSet", "DaemonSet", "deployment", "Pod") },
        (a, m) => a with { TargetName = Choose(m, "cart", "Checkout", "checkout-canary", "checkou") },
        (a, m) => a with { Namespace = Choose(m, Plain, "payments-staging", "Payments") },
        (a, m) => a with { Operations = [.. new[] { "CREATE", "UPDATE", "DELETE" }.Where(o => o != m.Op.ToWire()).Where((_, i) => i == m.Pick % 2 || m.Pick >= 5)] },
        (a, m) =>
        {
            var images = Oracle.AllImages(m.Subject).Distinct().ToArray();
            var dropped = images[m.Pick % images.Length];
            return a with { Images = [.. images.Where(i => i != dropped), dropped + "-rc", "img/unrelated:9"] };
        },
    ];
}
