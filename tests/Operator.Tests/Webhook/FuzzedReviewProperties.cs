using Admission.Fuzz.Harness;
using Admission.Policies.Manifests;
using CsCheck;

namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// The fuzz invariant (tests/Fuzz) in seconds, for CI: bodies made from the fuzz seed corpus by
/// byte edits and by JSON edits go through the real <c>POST /validate</c> in-process, and the
/// answer is 200 with a decision or 4xx, never 5xx, echoes the uid, and is never an allow for a
/// body that does not decode cleanly. Every input afl found is replayed too.
/// </summary>
public sealed class FuzzedReviewProperties : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 3, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly string FuzzDir = Path.Combine(Repo.Root, "tests", "Fuzz");

    private static readonly byte[][] Seeds = [.. Directory.EnumerateFiles(Path.Combine(FuzzDir, "corpus", "review")).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];

    private static readonly byte[][] Tokens =
    [
        .. new[] { "{", "}", "[", "]", ":", ",", "\"", "null", "true", "false", "0", "-1", "1e999", "\"\"", "\\u0000", "\\ud800", "\"uid\"", "\"username\"",
            "\"name\"", "\"namespace\"", "\"object\"", "\"metadata\"", "\"request\"", "\"kind\"", "\"resource\"", "\"subResource\"", "\"CREATE\"", "\"DELETE\"" }
            .Select(Encoding.UTF8.GetBytes),
        [0xff], [0xc3], [0xed, 0xa0, 0x80], [0xef, 0xbb, 0xbf],
    ];

    private InProcessWebhook _webhook = null!;

    public Task InitializeAsync()
    {
        var errors = new List<InputError>();
        var approvals = new List<ChangeApproval>();
        var namespaces = new List<KeyValuePair<string, IReadOnlyDictionary<string, string>>>();
        foreach (var file in Directory.EnumerateFiles(Repo.Examples, "*.yaml", SearchOption.AllDirectories))
        {
            foreach (var m in ManifestParser.Read(File.ReadAllText(file), file, "default", errors))
            {
                if (m.Kind == "Namespace") namespaces.Add(KeyValuePair.Create(m.Name, ObjectInspection.Labels(m.Object)));
                else if (m.Kind == ChangeApproval.KindName && ChangeApprovalReader.Read(m.Object, errors, file, m.Namespace) is { } a) approvals.Add(a);
            }
        }
        Assert.NotEmpty(approvals);
        var policy = PolicyParser.Parse(File.ReadAllText(Repo.Example("policy.yaml")), "policy.yaml");
        _webhook = InProcessWebhook.Start(policy, new DecisionSnapshot(new ApprovalIndex(approvals), new NamespaceIndex(namespaces)), Now);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _webhook.DisposeAsync();

    /// <summary>Byte edits afl would make: overwrite, delete a run, insert a token, truncate, copy a run elsewhere.</summary>
    private static readonly Gen<byte[]> ByteEdited =
        from seed in Gen.Int[0, Seeds.Length - 1]
        from edits in Gen.Select(Gen.Int[0, 4], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], Gen.Int[0, Tokens.Length - 1]).Array[1, 6]
        select edits.Aggregate(Seeds[seed], (bytes, e) => Edit(bytes, e.Item1, e.Item2, e.Item3, Tokens[e.Item4]));

    private static byte[] Edit(byte[] bytes, int op, int a, int b, byte[] token)
    {
        if (bytes.Length == 0) return token;
        var at = a % bytes.Length;
        var run = 1 + (b % 64);
        var list = new List<byte>(bytes);
        switch (op)
        {
            case 0: list[at] = (byte)b; break;
            case 1: list.RemoveRange(at, Math.Min(run, list.Count - at)); break;
            case 2: list.InsertRange(at, token); break;
            case 3: list.RemoveRange(at, list.Count - at); break;
            default: list.InsertRange(b % bytes.Length, bytes.AsSpan(at, Math.Min(run, bytes.Length - at)).ToArray()); break;
        }
        return [.. list];
    }

    private static readonly string[] EnvelopePaths =
    [
        "apiVersion", "kind", "request", "request.uid", "request.name", "request.namespace", "request.operation", "request.subResource",
        "request.kind", "request.kind.kind", "request.resource", "request.resource.resource", "request.resource.group", "request.userInfo",
        "request.userInfo.username", "request.userInfo.groups", "request.object", "request.oldObject", "request.object.metadata",
        "request.object.metadata.name", "request.object.metadata.namespace", "request.dryRun",
    ];

    private static readonly Gen<JsonNode?> Hostile = Gen.OneOf<JsonNode?>(
        Gen.Bool.Select(_ => (JsonNode?)null),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Int[-2, 3].Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.OneOfConst("", "other", "CREATE", "kube-system", "checkout", "system:masters", "\u0000", "\ud800x").Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Bool.Select(_ => (JsonNode?)new JsonArray()),
        Gen.Bool.Select(_ => (JsonNode?)new JsonObject()));

    /// <summary>JSON edits that keep the body parseable: an envelope field removed or given a value of another type.</summary>
    private static readonly Gen<byte[]> JsonEdited =
        from seed in Gen.Int[0, Seeds.Length - 1]
        from edits in Gen.Select(Gen.OneOfConst(EnvelopePaths), Gen.Bool, Hostile).Array[1, 3]
        select JsonEdit(Seeds[seed], edits);

    private static byte[] JsonEdit(byte[] seed, (string Path, bool Remove, JsonNode? Value)[] edits)
    {
        var root = JsonNode.Parse(seed)!;
        foreach (var (path, remove, value) in edits)
        {
            var parts = path.Split('.');
            var parent = root;
            foreach (var part in parts[..^1]) parent = parent is JsonObject o ? o[part] : null;
            if (parent is not JsonObject target) continue;
            if (remove) target.Remove(parts[^1]);
            else target[parts[^1]] = value?.DeepClone();
        }
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    [Fact]
    public void Edited_reviews_are_answered_200_or_4xx_and_never_allowed_unless_they_decode_cleanly()
    {
        Gen.Frequency((3, ByteEdited), (2, JsonEdited)).Sample(body =>
        {
            var (status, answer) = _webhook.Post(body);
            var violation = ReviewOracle.Violation(body, status, answer, strict: true);
            Assert.True(violation is null, violation);
        }, iter: 4000);
    }

    [Fact]
    public void Unedited_seeds_are_decided_with_a_200()
    {
        foreach (var seed in Seeds)
        {
            var (status, answer) = _webhook.Post(seed);
            Assert.True(ReviewOracle.Violation(seed, status, answer, strict: true) is null);
            // The v1beta1 fixtures are refused for their apiVersion; every v1 one gets a decision.
            Assert.Equal(ReviewOracle.DecodeProblem(seed, strict: false, out _) is null ? 200 : 400, status);
        }
    }

    public static TheoryData<string> Regressions() =>
        [.. Directory.EnumerateFiles(Path.Combine(FuzzDir, "regressions", "review")).Order(StringComparer.Ordinal).Select(f => Path.GetFileName(f))];

    /// <summary>Every input afl found that broke the invariant, kept with a name for what it broke.</summary>
    [Theory]
    [MemberData(nameof(Regressions))]
    public void Inputs_found_by_the_fuzzer_stay_fixed(string name)
    {
        var body = File.ReadAllBytes(Path.Combine(FuzzDir, "regressions", "review", name!));
        var (status, answer) = _webhook.Post(body);
        Assert.True(ReviewOracle.Violation(body, status, answer, strict: true) is null, Encoding.UTF8.GetString(answer));
        Assert.Equal(400, status);
    }
}
