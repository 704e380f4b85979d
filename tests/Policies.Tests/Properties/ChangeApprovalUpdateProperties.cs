namespace Admission.Policies.Tests.Properties;

/// <summary>
/// (e) Contract section 3: however a user edits <c>spec.approvals</c>, one accepted UPDATE at a
/// time, they can neither add an entry in another user's name nor remove or alter another's entry.
/// </summary>
public class ChangeApprovalUpdateProperties
{
    private static readonly string[] Users = ["alice", "bob", Requester, "mallory", "eve"];
    private static readonly Dictionary<string, UserInfo> Accounts = Users.ToDictionary(
        u => u, u => u == "eve" ? User(u, "developers") : User(u, ApproverGroup));

    /// <summary>One attempted edit of the entries; indexes wrap around the current list.</summary>
    public sealed record Step(string Actor, int Kind, int I, int J, string Other, int OffsetSeconds)
    {
        public const int Kinds = 10;

        public Entry[] Apply(IReadOnlyList<Entry> entries)
        {
            var list = entries.ToList();
            var at = Now.AddSeconds(OffsetSeconds);
            int Index(int k) => list.Count == 0 ? 0 : k % list.Count;
            switch (Kind)
            {
                case 0: list.Add(new Entry(Other, at)); break;                                  // append, any name
                case 1: list.Add(new Entry(Actor, at)); break;                                  // append own
                case 2: if (list.Count > 0) list.RemoveAt(Index(I)); break;                     // remove one
                case 3: if (list.Count > 0) list[Index(I)] = list[Index(I)] with { Approver = Other }; break; // rename
                case 4: if (list.Count > 0) list[Index(I)] = list[Index(I)] with { ApprovedAt = at, Comment = "edited" }; break;
                case 5: if (list.Count > 1) (list[Index(I)], list[Index(J)]) = (list[Index(J)], list[Index(I)]); break; // reorder
                case 6: list.Insert(list.Count == 0 ? 0 : I % (list.Count + 1), new Entry(Other, at)); break; // insert anywhere
                case 7: list.Add(new Entry(Actor, at)); list.Add(new Entry(Other, at)); break;  // two at once
                case 8: list.RemoveAll(e => e.Approver == Actor); break;                        // withdraw own
                default: list.Clear(); break;                                                   // remove all
            }
            return [.. list];
        }

        public override string ToString() => $"{Actor}: kind {Kind} i={I} j={J} other={Other} offset={OffsetSeconds}s";
    }

    private static readonly Gen<Step> StepGen =
        Gen.Select(Gen.OneOfConst(Users), Gen.Int[0, Step.Kinds - 1], Gen.Int[0, 6], Gen.Int[0, 6], Gen.OneOfConst(Users), Gen.Int[-400, 400],
            (actor, kind, i, j, other, offset) => new Step(actor, kind, i, j, other, offset));

    private static readonly Gen<Approval> Start =
        Gen.Select(
            Gen.OneOfConst(Users).Array[0, 4],
            Gen.FrequencyConst((5, Now.AddHours(3)), (1, Now)),
            (approvers, expiresAt) => (new Approval { ExpiresAt = expiresAt, NotBefore = Now.AddHours(-4) }).ApprovedBy(approvers));

    private static IEnumerable<Entry> Others(IEnumerable<Entry> entries, string user) => entries.Where(e => e.Approver != user);

    [Fact]
    public void Each_accepted_update_leaves_every_other_users_entries_as_they_were()
    {
        var accepted = 0;
        Gen.Select(Start, StepGen.Array[1, 12]).Sample((start, steps) =>
        {
            var current = start;
            foreach (var step in steps)
            {
                var proposed = current with { Approvals = step.Apply(current.Approvals) };
                var decision = AdmissionEngine.Decide(Requests.ApprovalUpdate(current, proposed, Accounts[step.Actor]), Context());
                if (!decision.Allowed) continue;
                Interlocked.Increment(ref accepted);

                Assert.Equal(Others(current.Approvals, step.Actor), Others(proposed.Approvals, step.Actor));
                var added = proposed.Approvals.Count(e => e.Approver == step.Actor) - current.Approvals.Count(e => e.Approver == step.Actor);
                Assert.True(added <= 1, $"{step.Actor} added {added} entries at once");
                if (added == 1)
                {
                    Assert.NotEqual(current.RequestedBy, step.Actor);
                    Assert.Equal(step.Actor, proposed.Approvals[^1].Approver);
                    Assert.True(Now < current.ExpiresAt, "an expired approval was approved");
                }
                current = proposed;
            }
        }, iter: 1500, print: t => $"start: {Worlds.Describe(t.Item1)}\nsteps:\n  {string.Join("\n  ", t.Item2.Select(s => s.ToString()))}");
        Assert.True(accepted > 100, $"only {accepted} updates were accepted; the property barely ran");
    }

    [Fact]
    public void No_sequence_of_updates_by_one_user_adds_or_removes_anyone_elses_entry()
    {
        var gen =
            from start in Start
            from actor in Gen.OneOfConst(Users)
            from steps in StepGen.Array[1, 15]
            select (start, actor, steps: steps.Select(s => s with { Actor = actor }).ToArray());

        gen.Sample((start, actor, steps) =>
        {
            var current = start;
            foreach (var step in steps)
            {
                var proposed = current with { Approvals = step.Apply(current.Approvals) };
                if (AdmissionEngine.Decide(Requests.ApprovalUpdate(current, proposed, Accounts[actor]), Context()).Allowed)
                {
                    current = proposed;
                }
            }
            Assert.Equal(Others(start.Approvals, actor), Others(current.Approvals, actor));
            Assert.True(current.Approvals.Count(e => e.Approver == actor) <= Math.Max(1, start.Approvals.Count(e => e.Approver == actor)),
                $"{actor} holds more entries than they started with or could add");
        }, iter: 1000, print: t => $"start: {Worlds.Describe(t.Item1)}\nactor: {t.Item2}\nsteps:\n  {string.Join("\n  ", t.Item3.Select(s => s.ToString()))}");
    }
}
