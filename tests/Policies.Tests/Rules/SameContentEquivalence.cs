using System.Text.Json;
using CsCheck;

namespace Admission.Policies.Tests.Rules;

/// <summary>
/// <see cref="ObjectInspection.SameContent"/> looks plainly written names up by their parsed bytes
/// instead of by string; it must answer what the comparison by string answered (kept here as
/// <see cref="Reference"/>, the code before the change) for every pair: equal and unequal
/// content, members in any order, names escaped or non-ASCII or repeated, the removed paths
/// present, absent, or left as empty maps, under each replica and restart setting and kind.
/// </summary>
public class SameContentEquivalence
{
    private static readonly string[] Names =
        ["spec", "template", "metadata", "annotations", "status", "replicas", "jobTemplate", "a", "é", "😀", ContentRemovals.RestartedAt];

    /// <summary>
    /// A value from a small pool, spelled by the random it is given (member order, escaped names):
    /// one drawn value spelled twice is equal content, two drawn values often are too.
    /// </summary>
    private static Gen<Func<Random, string>> Value(int depth) => depth == 0
        ? Gen.OneOfConst("1", "1.0", "2", "\"x\"", "\"\\u0078\"", "null", "{}", "[]", "[1]", "true").Select(v => (Func<Random, string>)(_ => v))
        : Gen.Frequency(
            (3, Value(0)),
            (3, Object(depth - 1)),
            (1, Value(depth - 1).Array[0, 2].Select(items => (Func<Random, string>)(r => "[" + string.Join(",", items.Select(i => i(r))) + "]"))));

    private static Gen<Func<Random, string>> Object(int depth) =>
        Gen.Select(Gen.OneOfConst(Names).Array[0, 3], Value(depth).Array[3], (keys, values) => (Func<Random, string>)(r =>
            "{" + string.Join(",", keys.Select((k, i) => Literal(k, r) + ":" + values[i](r)).OrderBy(_ => r.Next())) + "}"));

    private static string Literal(string key, Random random) => random.Next(4) == 0
        ? "\"" + string.Concat(key.Select(c => "\\u" + ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture))) + "\""
        : JsonSerializer.Serialize(key);

    /// <summary>A workload whose parts sit on the removed paths, or elsewhere.</summary>
    private static readonly Gen<Func<Random, string>> Doc = Gen.Frequency(
        (3, Gen.Select(Value(1), Value(1), Value(2), Gen.Bool, (replicas, annotation, rest, cron) => (Func<Random, string>)(r =>
        {
            var template = "{\"metadata\":{\"annotations\":{\"" + ContentRemovals.RestartedAt + "\":" + annotation(r) + "}},\"spec\":" + rest(r) + "}";
            var spec = cron ? "{\"jobTemplate\":{\"spec\":{\"template\":" + template + "}}}" : "{\"replicas\":" + replicas(r) + ",\"template\":" + template + "}";
            return "{\"metadata\":" + rest(r) + ",\"spec\":" + spec + "}";
        }))),
        (2, Object(3)));

    /// <summary>Two documents: one drawn and spelled twice, or two drawn.</summary>
    private static readonly Gen<(string, string)> Pair = Gen.Select(Doc, Doc, Gen.Bool, Gen.Int, Gen.Int, (a, b, one, s1, s2) =>
        (a(new Random(s1)), (one ? a : b)(new Random(s2))));

    private static readonly WorkloadKind[] Kinds = [new("apps", "Deployment"), new("batch", "CronJob"), new("", "Pod")];

    [Fact]
    public void Same_content_answers_what_the_comparison_by_string_answered()
    {
        var same = 0;
        Gen.Select(Pair, Gen.Int[0, 2], Gen.Bool, Gen.Bool).Sample((pair, kindIndex, replicas, restarts) =>
        {
            var (a, b) = pair;
            using var oldDoc = JsonDocument.Parse(a);
            using var newDoc = JsonDocument.Parse(b);
            var policy = new AdmissionPolicy { AllowReplicaChanges = replicas, AllowRestarts = restarts };
            var expected = Reference.SameContent(oldDoc.RootElement, newDoc.RootElement, Kinds[kindIndex], policy);
            if (expected) Interlocked.Increment(ref same);
            Assert.Equal(expected, ObjectInspection.SameContent(oldDoc.RootElement, newDoc.RootElement, Kinds[kindIndex], policy));
        }, iter: 5000, print: t => t.Item1.Item1 + " vs " + t.Item1.Item2);
        Assert.True(same > 1000, $"only {same} equal pairs; the property barely compared equal content");
    }

    /// <summary>
    /// The engine compares an UPDATE's content by its two change digests and walks the objects only
    /// when either has none (a key twice, in these pairs); wherever both exist they must answer
    /// what the walk answers. A CronJob carries its kind, as every object kube-apiserver sends does:
    /// the digest finds the job template by it.
    /// </summary>
    [Fact]
    public void The_change_digests_answer_what_the_walk_answers_wherever_both_exist()
    {
        var (compared, same) = (0, 0);
        WorkloadKind[] kinds = [new("apps", "Deployment"), new("batch", "CronJob")];
        Gen.Select(Pair, Gen.Int[0, 1], Gen.Bool, Gen.Bool).Sample((pair, kindIndex, replicas, restarts) =>
        {
            var kind = kinds[kindIndex];
            string Spelled(string doc) => kind.Kind == "CronJob" ? "{\"kind\":\"CronJob\"" + (doc == "{}" ? "" : ",") + doc[1..] : doc;
            using var oldDoc = JsonDocument.Parse(Spelled(pair.Item1));
            using var newDoc = JsonDocument.Parse(Spelled(pair.Item2));
            var policy = new AdmissionPolicy { AllowReplicaChanges = replicas, AllowRestarts = restarts };
            var request = new AdmissionInput
            {
                Operation = Operation.Update, Group = kind.Group, Kind = kind.Kind, Resource = kind.Plural, Namespace = "ns", Name = "x",
                User = new UserInfo("carol", []), OldObject = oldDoc.RootElement, Object = newDoc.RootElement,
            };
            if (new ChangeDigests(request, policy).ContentUnchanged is not { } unchanged) return;
            Interlocked.Increment(ref compared);
            if (unchanged) Interlocked.Increment(ref same);
            Assert.Equal(ObjectInspection.SameContent(oldDoc.RootElement, newDoc.RootElement, kind, policy), unchanged);
        }, iter: 5000, print: t => t.Item1.Item1 + " vs " + t.Item1.Item2);
        Assert.True(compared > 2500 && same > 500, $"{compared} pairs had both digests, {same} of them equal; the property barely compared");
    }

    /// <summary>The comparison before names were looked up by bytes (commit d896364).</summary>
    private static class Reference
    {
        public static bool SameContent(JsonElement oldObj, JsonElement newObj, WorkloadKind kind, AdmissionPolicy policy)
        {
            if (oldObj.ValueKind != JsonValueKind.Object || newObj.ValueKind != JsonValueKind.Object) return false;
            return Same(oldObj, newObj, ContentRemovals.For(kind, policy));
        }

        private static bool Same(JsonElement a, JsonElement b, ContentRemovals? removals)
        {
            if (removals is null || a.ValueKind != JsonValueKind.Object || b.ValueKind != JsonValueKind.Object) return JsonElement.DeepEquals(a, b);
            var counted = 0;
            foreach (var p in a.EnumerateObject())
            {
                var child = removals.Child(p.Name);
                if (Absent(p.Value, child)) continue;
                counted++;
                if (!b.TryGetProperty(p.Name, out var other) || Absent(other, child) || !Same(p.Value, other, child)) return false;
            }
            foreach (var p in b.EnumerateObject())
            {
                if (!Absent(p.Value, removals.Child(p.Name))) counted--;
            }
            return counted == 0;
        }

        private static bool Absent(JsonElement value, ContentRemovals? node)
        {
            if (node is null) return false;
            if (node.Removed) return true;
            if (value.ValueKind != JsonValueKind.Object) return false;
            var any = false;
            foreach (var p in value.EnumerateObject())
            {
                any = true;
                if (!Absent(p.Value, node.Child(p.Name))) return false;
            }
            return any;
        }
    }
}
