namespace Admission.Policies.Tests.Properties;

/// <summary>
/// One workload request in the Tier-1 namespace and everything it is decided against: a random
/// policy, user, change and set of ChangeApprovals (most of them aimed at the object, so that
/// every outcome is common).
/// </summary>
public sealed record World(AdmissionPolicy Policy, UserInfo User, Operation Op, Workload Old, Workload New, Approval[] Approvals, bool DryRun)
{
    public AdmissionInput Request => Requests.Change(Op, Old, New, User, DryRun);

    /// <summary>The object being admitted: the new one, or for DELETE the one removed.</summary>
    public Workload Subject => Op == Operation.Delete ? Old : New;

    public DecisionContext Context => Fixture.Context(Approvals, Policy);

    public Decision Decide() => AdmissionEngine.Decide(Request, Context);

    public override string ToString() =>
        $"{Op.ToWire()} by {User.Username} [{string.Join(",", User.Groups)}]; policy required={Policy.RequiredApprovals} replicas={Policy.AllowReplicaChanges} " +
        $"exemptUsers=[{string.Join(",", Policy.ExemptUsers)}] exemptGroups=[{string.Join(",", Policy.ExemptGroups)}] breakGlass=[{string.Join(",", Policy.BreakGlassGroups)}]\n" +
        $"  old: {Worlds.Describe(Old)}\n  new: {Worlds.Describe(New)}\n" +
        string.Concat(Approvals.Select(a => "  " + Worlds.Describe(a) + "\n"));
}

public static class Worlds
{
    /// <summary>Six people, two of them also under a second spelling: "Alice" is alice, "cаrol " (Cyrillic а) is carol.</summary>
    public static readonly string[] Users = ["alice", "bob", "carol", "dave", "erin", "frank", "Alice", "c\u0430rol "];
    public static readonly string[] Groups = ["developers", "ci", ApproverGroup, BreakGlassGroup, "oncall"];
    public static readonly string[] Images = ["img/a:1", "img/b:1", "img/c:1"];
    private static readonly string[]?[] OperationLists = [null, ["CREATE"], ["UPDATE"], ["DELETE"], ["CREATE", "UPDATE", "DELETE"], ["UPDATE", "DELETE"], ["CREATE", "DELETE"]];

    public static string Describe(Workload w) =>
        $"images=[{string.Join(",", w.Images)}] init=[{string.Join(",", w.InitImages)}] replicas={w.Replicas} strategy={w.Strategy} " +
        $"annotations=[{string.Join(",", w.Annotations.Select(kv => $"{kv.Key}={kv.Value}"))}] gen={w.Generation}";

    public static string Describe(Approval a) =>
        $"{a.Key} -> {a.ApiGroup ?? "(apps)"}/{a.Kind}/{a.TargetName} ops=[{string.Join(",", a.Operations ?? ["(CREATE,UPDATE)"])}] images=[{string.Join(",", a.Images)}] " +
        $"by={a.RequestedBy} notBefore={a.NotBefore?.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture) ?? "-"} " +
        $"expiresAt={a.ExpiresAt?.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)} approvers=[{string.Join(",", a.Approvals.Select(e => e.Approver))}]";

    public static Gen<string[]> SubsetOf(string[] pool, int max) =>
        Gen.OneOfConst(pool).Array[0, max].Select(a => a.Distinct().ToArray());

    public static readonly Gen<AdmissionPolicy> Policy =
        Gen.Select(
            Gen.Int[2, 4],
            Gen.Bool,
            Gen.Frequency((4, Gen.Const(Array.Empty<string>())), (1, SubsetOf(Users, 2))),
            Gen.Frequency((4, Gen.Const(Array.Empty<string>())), (1, SubsetOf(Groups, 2))),
            Gen.OneOfConst<string[]>([BreakGlassGroup], ["oncall"], [], [BreakGlassGroup, "oncall"]),
            (required, replicas, exemptUsers, exemptGroups, breakGlass) => Fixture.Policy with
            {
                RequiredApprovals = required,
                AllowReplicaChanges = replicas,
                ExemptUsers = Set(exemptUsers),
                ExemptGroups = Set(exemptGroups),
                BreakGlassGroups = Set(breakGlass),
            });

    public static readonly Gen<UserInfo> User =
        Gen.Select(Gen.OneOfConst(Users), SubsetOf(Groups, 3), (name, groups) => new UserInfo(name, groups));

    private static readonly Gen<string?> BreakGlassReason = Gen.FrequencyConst<string?>((6, null), (1, ""), (1, "   "), (2, "INC-4411"));

    public static readonly Gen<Workload> Workload =
        Gen.Select(
            Gen.OneOfConst(Images).Array[1, 2],
            Gen.Frequency((3, Gen.Const(Array.Empty<string>())), (1, Gen.OneOfConst(Images).Array[1, 1])),
            Gen.Int[1, 3],
            Gen.OneOfConst("RollingUpdate", "Recreate"),
            BreakGlassReason,
            (images, init, replicas, strategy, reason) =>
            {
                var w = new Workload { Images = images, InitImages = init, Replicas = replicas, Strategy = strategy };
                return reason is null ? w : w.WithBreakGlass(reason);
            });

    /// <summary>The object after an UPDATE: often a metadata or replicas-only change, so no-approval-needed is common.</summary>
    public static Gen<Workload> Updated(Workload old) => Gen.Frequency(
        (2, Gen.Select(Gen.Int[2, 9], BreakGlassReason, (gen, reason) => reason is null ? old with { Generation = gen } : old.WithBreakGlass(reason))),
        (2, Gen.Int[1, 5].Select(r => old with { Replicas = r })),
        (5, Workload));

    private static readonly DateTimeOffset?[] NotBefores = [null, Now.AddHours(-2), Now.AddHours(-1), Now, Now.AddMinutes(30)];
    private static readonly DateTimeOffset[] Expiries = [Now.AddHours(-1), Now, Now.AddSeconds(1), Now.AddHours(1), Now.AddHours(3)];

    public static Gen<Approval> Approval(int index) =>
        Gen.Select(
            Target(index),
            Gen.OneOfConst(OperationLists),
            Gen.Frequency((1, Gen.Const(Array.Empty<string>())), (1, SubsetOf(Images, 3))),
            Gen.OneOfConst(Users),
            Gen.OneOfConst(NotBefores),
            Gen.FrequencyConst((1, Expiries[0]), (1, Expiries[1]), (1, Expiries[2]), (3, Expiries[3]), (3, Expiries[4])),
            Gen.OneOfConst(Users).Array[0, 5],
            (targeting, ops, images, requester, notBefore, expiresAt, approvers) => (targeting with
            {
                Operations = ops,
                Images = images,
                RequestedBy = requester,
                NotBefore = notBefore,
                ExpiresAt = expiresAt,
            }).ApprovedBy(approvers));

    /// <summary>An approval named ca-index, and what it targets: mostly the one workload the worlds write, now and then a near miss.</summary>
    private static Gen<Approval> Target(int index) =>
        Gen.Select(
            Gen.FrequencyConst((9, Tier1), (1, Plain)),
            Gen.FrequencyConst<string?>((7, "apps"), (2, null), (1, "extensions"), (1, "")),
            Gen.FrequencyConst((9, "Deployment"), (1, "StatefulSet")),
            Gen.FrequencyConst((9, "checkout"), (1, "cart")),
            (ns, group, kind, name) => new Approval { Name = $"ca-{index}", Namespace = ns, ApiGroup = group, Kind = kind, TargetName = name });

    public static readonly Gen<Approval[]> Approvals =
        Gen.Int[0, 4].SelectMany(n => Enumerable.Range(0, n)
            .Aggregate(Gen.Const(Array.Empty<Approval>()), (acc, i) => acc.SelectMany(list => Approval(i).Select(a => (Approval[])[.. list, a]))));

    public static readonly Gen<World> World =
        Gen.Select(Policy, User, Gen.OneOfConst(Operation.Create, Operation.Update, Operation.Delete), Workload, Approvals, Gen.Bool)
            .SelectMany((policy, user, op, old, approvals, dryRun) =>
                (op == Operation.Update ? Updated(old) : Workload)
                    .Select(updated => new World(policy, user, op, old, updated, approvals, dryRun)));
}

/// <summary>The contract's rules, written out independently of the engine, to judge its decisions.</summary>
public static class Oracle
{
    /// <summary>The person behind each spelling <see cref="Worlds.Users"/> uses (case, edge white space, Cyrillic а).</summary>
    public static string Person(string username) => username.Trim().ToLowerInvariant().Replace('\u0430', 'a');

    public static int CountedApprovers(Approval a) =>
        a.Approvals.Select(e => Person(e.Approver)).Where(x => x.Length > 0 && x != Person(a.RequestedBy ?? "")).Distinct().Count();

    public static bool InWindow(Approval a, DateTimeOffset now) => (a.NotBefore is null || a.NotBefore <= now) && now < a.ExpiresAt;

    public static bool IsValid(Approval a, DateTimeOffset now, int required) => InWindow(a, now) && CountedApprovers(a) >= required;

    public static bool Targets(Approval a, Workload w) =>
        a.Namespace == w.Namespace && (a.ApiGroup ?? "apps") == w.Group && a.Kind == w.Kind && a.TargetName == w.Name;

    public static bool Covers(Approval a, Operation op) => (a.Operations ?? ["CREATE", "UPDATE"]).Contains(op.ToWire());

    public static IEnumerable<string> AllImages(Workload w) => w.Images.Concat(w.InitImages).Concat(w.EphemeralImages);

    public static bool ImagesHold(Approval a, Workload w) => a.Images.Count == 0 || AllImages(w).All(a.Images.Contains);

    public static bool Admits(Approval a, World w) =>
        IsValid(a, Now, w.Policy.RequiredApprovals) && Targets(a, w.Subject) && Covers(a, w.Op) && ImagesHold(a, w.Subject);

    public static bool IsExempt(World w) =>
        w.Policy.ExemptUsers.Contains(w.User.Username) || w.User.Groups.Any(w.Policy.ExemptGroups.Contains);

    public static bool NeedsNoApproval(World w) =>
        w.Op == Operation.Update &&
        w.Old.Images.SequenceEqual(w.New.Images) && w.Old.InitImages.SequenceEqual(w.New.InitImages) &&
        w.Old.EphemeralImages.SequenceEqual(w.New.EphemeralImages) && w.Old.Strategy == w.New.Strategy &&
        (w.Policy.AllowReplicaChanges || w.Old.Replicas == w.New.Replicas);

    /// <summary>Break glass counts when this request sets a new reason (for a DELETE, the deleted object's reason).</summary>
    public static bool BreaksGlass(World w)
    {
        if (!w.User.Groups.Any(w.Policy.BreakGlassGroups.Contains)) return false;
        var reason = Reason(w.Subject);
        if (reason is null) return false;
        return w.Op != Operation.Update || reason != Reason(w.Old);
    }

    private static string? Reason(Workload w) =>
        w.Annotations.TryGetValue(AdmissionPolicy.BreakGlassAnnotation, out var reason) && reason.Trim().Length > 0 ? reason.Trim() : null;
}
