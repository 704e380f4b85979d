namespace Admission.Policies.Tests.Index;

/// <summary>
/// The indexes changed one object at a time, as cluster mode's watch events change them, against
/// the same indexes built afresh from everything: every answer must be the same.
/// </summary>
public class IndexUpdateTests
{
    private static readonly string[] Namespaces = ["payments", "ledger"];
    private static readonly string[] Targets = ["checkout", "cart", "search"];

    private static ChangeApproval A(int name, int ns, int target, bool retrospective = false, bool deleting = false, string kind = "Deployment") => new()
    {
        Namespace = Namespaces[ns], Name = "approval-" + name, Target = new ApprovalTarget("apps", kind, Targets[target]),
        Operations = [Operation.Update], Reason = "r", RequestedBy = "carol", ExpiresAt = DateTimeOffset.UnixEpoch.AddYears(60),
        Retrospective = retrospective, Deleting = deleting,
    };

    /// <summary>Everything the index can be asked, as text: each target's approvals in order, and the count.</summary>
    private static string Answers(ApprovalIndex index)
    {
        var lines = new List<string> { "count " + index.Count };
        foreach (var ns in Namespaces)
        {
            foreach (var target in Targets)
            {
                foreach (var kind in (string[])["Deployment", "StatefulSet"])
                {
                    lines.Add($"{ns}/{kind}/{target}: " + string.Join(",", index.Targeting(ns, "apps", kind, target).Select(a => a.Name + "@" + a.Target.Name)));
                }
            }
        }
        return string.Join("\n", lines);
    }

    /// <summary>One watch event: the approval of this name (in this namespace) becomes this one, or is deleted (null).</summary>
    private static readonly Gen<(int Name, int Ns, ChangeApproval? After)> Event =
        Gen.Select(Gen.Int[0, 7], Gen.Int[0, 1], Gen.Int[0, 2], Gen.Int[0, 9], Gen.Bool).Select((name, ns, target, what, kind) =>
            (name, ns, what switch
            {
                0 or 1 => null,
                2 => A(name, ns, target, retrospective: true),
                3 => A(name, ns, target, deleting: true),
                _ => A(name, ns, target, kind: kind ? "Deployment" : "StatefulSet"),
            }));

    [Fact]
    public void An_index_changed_event_by_event_answers_as_one_built_afresh()
    {
        Gen.Select(Event.Array[0, 8], Event.Array[1, 120]).Sample((initial, events) =>
        {
            // What the cache holds, by namespace and name: the truth the fresh index is built from.
            var held = new Dictionary<(int, int), ChangeApproval>();
            foreach (var (name, ns, after) in initial)
            {
                if (after is null) held.Remove((name, ns));
                else held[(name, ns)] = after;
            }
            var index = new ApprovalIndex(held.Values);
            foreach (var (name, ns, after) in events)
            {
                var before = held.GetValueOrDefault((name, ns));
                if (after is null) held.Remove((name, ns));
                else held[(name, ns)] = after;
                index = index.Updating(before, after);
                Assert.Equal(Answers(new ApprovalIndex(held.Values)), Answers(index));
            }
        }, iter: 300);
    }

    [Fact]
    public void Updating_leaves_the_index_it_started_from_as_it_was()
    {
        var original = new ApprovalIndex([A(1, 0, 0)]);
        var before = Answers(original);
        var changed = original.Updating(A(1, 0, 0), A(1, 0, 1)).Updating(null, A(2, 0, 0));
        Assert.Equal(before, Answers(original));
        Assert.Equal(["approval-2"], changed.Targeting("payments", "apps", "Deployment", "checkout").Select(a => a.Name));
        Assert.Equal(["approval-1"], changed.Targeting("payments", "apps", "Deployment", "cart").Select(a => a.Name));
    }

    [Fact]
    public void An_index_with_a_namespace_replaced_is_never_updated()
    {
        var view = new ApprovalIndex([A(1, 0, 0)]).ReplacingNamespace("payments", []);
        Assert.Throws<InvalidOperationException>(() => view.Updating(null, A(2, 0, 0)));
    }

    [Fact]
    public void Namespace_labels_set_and_removed_one_at_a_time()
    {
        IReadOnlyDictionary<string, string> tier1 = new Dictionary<string, string> { [AdmissionPolicy.TierLabel] = "1" };
        var original = new NamespaceIndex([KeyValuePair.Create("payments", tier1)]);
        var changed = original.Updating("ledger", tier1).Updating("payments", null);

        Assert.Null(changed.Labels("payments"));
        Assert.Same(tier1, changed.Labels("ledger"));
        Assert.Equal(1, changed.Count);
        Assert.Same(tier1, original.Labels("payments"));
        Assert.Null(original.Labels("ledger"));
        Assert.Same(changed, changed.Updating("absent", null));
    }
}

/// <summary>The map under both indexes: a frozen base, a layer of changes, folded when it grows.</summary>
public class SnapshotMapTests
{
    private static SnapshotMap<string, string> Map(int n) =>
        new(Enumerable.Range(0, n).Select(i => KeyValuePair.Create("k" + i, "v" + i)), StringComparer.Ordinal);

    private static Dictionary<string, string> Contents(SnapshotMap<string, string> map) => map.Items().ToDictionary(kv => kv.Key, kv => kv.Value);

    [Fact]
    public void Changes_against_a_dictionary_including_across_folds()
    {
        Gen.Select(Gen.Int[0, 300], Gen.Select(Gen.Int[0, 400], Gen.Bool).Array[1, 600]).Sample((size, changes) =>
        {
            var map = Map(size);
            var expected = Enumerable.Range(0, size).ToDictionary(i => "k" + i, i => "v" + i);
            var step = 0;
            foreach (var (key, remove) in changes)
            {
                var k = "k" + key;
                var value = remove ? null : "w" + key + "-" + step++;
                map = map.SetItem(k, value);
                if (value is null) expected.Remove(k);
                else expected[k] = value;
                Assert.Equal(expected.Count, map.Count);
                Assert.Equal(expected.TryGetValue(k, out var e) ? e : null, map.TryGetValue(k, out var got) ? got : null);
            }
            Assert.Equal(expected.OrderBy(kv => kv.Key, StringComparer.Ordinal), Contents(map).OrderBy(kv => kv.Key, StringComparer.Ordinal));
            foreach (var probe in Enumerable.Range(0, 400).Select(i => "k" + i))
            {
                Assert.Equal(expected.GetValueOrDefault(probe), map.TryGetValue(probe, out var v) ? v : null);
            }
        }, iter: 200);
    }

    [Fact]
    public void The_layer_is_folded_into_the_base_once_it_outgrows_its_share()
    {
        var map = Map(1000); // folds past max(64, 1000 / 8) = 125 changed keys
        for (var i = 0; i < 125; i++) map = map.SetItem("k" + i, "changed");
        Assert.Equal(125, map.Layered);
        map = map.SetItem("k125", "changed");
        Assert.Equal(0, map.Layered);
        Assert.Equal(1000, map.Count);
        Assert.Equal(126, map.Items().Count(kv => kv.Value == "changed"));
    }

    [Fact]
    public void A_change_that_changes_nothing_returns_the_same_map()
    {
        var map = Map(3);
        Assert.Same(map, map.SetItem("absent", null));
        Assert.True(map.TryGetValue("k1", out var v1));
        Assert.Same(map, map.SetItem("k1", v1));
        var removedFromLayer = map.SetItem("new", "x").SetItem("new", null);
        Assert.Equal(0, removedFromLayer.Layered); // a key the base never held leaves nothing behind
        Assert.Equal(3, removedFromLayer.Count);
    }
}
