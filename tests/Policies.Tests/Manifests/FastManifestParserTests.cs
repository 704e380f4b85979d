namespace Admission.Policies.Tests.Manifests;

/// <summary>
/// The quick reader of local mode gives exactly the manifests the careful reader gives, or
/// declines (and the careful reader then reports the problem); it never accepts what the careful
/// reader rejects.
/// </summary>
public sealed class FastManifestParserTests
{
    private static readonly HashSet<string> Approvals = ["ChangeApproval", "Namespace"];

    public static TheoryData<string, string, bool> Cases => new()
    {
        // name, YAML, whether the quick reader takes it
        { "one object", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\n  labels: {tier: \"1\"}\n", true },
        { "documents, empty ones, comments", "# c\n---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n# only a comment\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n---\n", true },
        { "core schema scalars", "apiVersion: v1\nkind: ChangeApproval\nmetadata: {name: c, namespace: x}\ndata:\n  a: 1\n  b: '1'\n  c: -2.5e3\n  d: 0x1F\n  e: true\n  f: \"false\"\n  g: ~\n  h: null\n  i: NULL\n  j:\n  k: .5\n  l: 1_000\n  m: 99999999999999999999\n  n: .inf\n  o: 'it''s'\n  p: |\n    two\n    lines\n  q: >-\n    folded\n    text\n", true },
        { "sequences, nested", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\nspec:\n  ops: [CREATE, UPDATE]\n  list:\n  - a: 1\n    b: [x, {y: z}]\n  - - nested\n  - \"\"\n", true },
        { "generateName and default namespace", "apiVersion: v1\nkind: ChangeApproval\nmetadata:\n  generateName: web-\n", true },
        { "metadata null", "apiVersion: v1\nkind: Namespace\nmetadata:\n", false },
        { "other kinds skipped unchecked", "apiVersion: v1\nkind: Secret\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n", true },
        { "keys that look like other types", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\nx: {1: a, true: b, null: c, '2': d}\n", true },
        { "an anchor and alias", "apiVersion: v1\nkind: Namespace\nmetadata: &m {name: a}\nother: *m\n", false },
        { "a tag", "apiVersion: v1\nkind: Namespace\nmetadata: {name: !!str 12}\n", false },
        { "a duplicate key", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\nkind: Pod\n", false },
        { "a nested duplicate key", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, name: b}\n", false },
        { "a List kind", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n", false },
        { "no kind", "apiVersion: v1\nmetadata: {name: a}\n", false },
        { "no name", "apiVersion: v1\nkind: Namespace\nmetadata: {labels: {}}\n", false },
        { "metadata not an object", "apiVersion: v1\nkind: Namespace\nmetadata: [a]\n", false },
        { "root is a list", "- apiVersion: v1\n  kind: Namespace\n", false },
        { "root is a scalar", "hello\n", false },
        { "not YAML", "apiVersion: v1\nkind: Namespace\nmetadata: {name: [a\n  bad: }\n", false },
        { "a complex key", "? [a, b]\n: c\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n", false },
        { "JSON text is left to the careful reader", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"a\"}}", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gives_what_the_careful_reader_gives_or_declines(string name, string yaml, bool taken)
    {
        var accepted = FastManifestParser.TryRead(yaml, "f.yaml", "default", Approvals, out var fast);
        Assert.True(accepted == taken, $"{name}: quick reader {(accepted ? "took" : "declined")} it");
        if (accepted) AssertSame(yaml, fast, name, Approvals);
    }

    [Fact]
    public void Gives_what_the_careful_reader_gives_for_the_examples()
    {
        foreach (var file in Directory.GetFiles(RepoPaths.Get("examples"), "*.yaml", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            var careful = new List<InputError>();
            ManifestParser.Read(text, "f.yaml", "default", careful);
            var accepted = FastManifestParser.TryRead(text, "f.yaml", "default", null, out var fast);
            // The policy file is not a manifest: the careful reader rejects it, so the quick one must decline it.
            Assert.True(accepted == (careful.Count == 0), $"{file}: {string.Join("; ", careful)}");
            if (accepted) AssertSame(text, fast, file, onlyKinds: null);
        }
    }

    private static readonly string[] Scalars =
        ["a", "1", "-1", "1.5", "1e3", "0x10", "true", "False", "null", "~", "", "it's", "a: b", "#x", "- x", "ü", "\"q\"", "  pad ", "0o7", ".5", "+1", "line\nbreak", "tab\t",
         "a,b", "k:v", "x #y", "a[1]", "-", "--", "?x", "a b", "a:", "&x", "*y", "!t", "|", "%", "@", ".", "é ü"];

    private static readonly Gen<string> Scalar = Gen.OneOf(
        Gen.OneOfConst(Scalars).Select(s => s.Contains('\n') || s.Contains('\t') || s.Contains('"') ? JsonSerializer.Serialize(s) : s),
        Gen.OneOfConst(Scalars).Select(s => "'" + s.Replace("'", "''", StringComparison.Ordinal).Replace("\n", "\n\n", StringComparison.Ordinal) + "'"),
        Gen.OneOfConst(Scalars).Select(s => JsonSerializer.Serialize(s)));

    private static Gen<string> Value(int depth) => depth == 0 ? Scalar : Gen.Frequency(
        (3, Scalar),
        (1, Gen.Select(Gen.Int[0, 3], Gen.String[Gen.Char["abkx"], 1, 3], Scalar, (n, k, v) => n == 0 ? "{}" : "{" + string.Join(", ", Enumerable.Range(0, n).Select(i => $"{k}{i}: {v}")) + "}")),
        (1, Gen.Select(Gen.Int[0, 3], Scalar, (n, v) => "[" + string.Join(", ", Enumerable.Repeat(v, n)) + "]")),
        (1, Value(depth - 1).Array[0, 3].Select(items => "[" + string.Join(", ", items) + "]")));

    /// <summary>Random objects of tricky scalars, flow maps and lists, several documents, sometimes a duplicate key.</summary>
    private static readonly Gen<string> Documents =
        Gen.Select(Gen.String[Gen.Char["abcd"], 1, 2].Array[0, 6], Value(2).Array[6], Gen.Int[1, 3], (keys, values, docs) =>
        {
            var sb = new StringBuilder();
            for (var d = 0; d < docs; d++)
            {
                sb.Append("---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: n").Append(d).Append('\n');
                for (var i = 0; i < keys.Length; i++) sb.Append(keys[i]).Append(": ").Append(values[i]).Append('\n');
            }
            return sb.ToString();
        });

    [Fact]
    public void Random_documents_read_the_same_both_ways()
    {
        var taken = 0;
        Documents.Sample(yaml =>
        {
            var errors = new List<InputError>();
            var careful = ManifestParser.Read(yaml, "f.yaml", "default", errors, Approvals);
            if (!FastManifestParser.TryRead(yaml, "f.yaml", "default", Approvals, out var fast)) return true; // declined: the careful reader decides
            taken++;
            return errors.Count == 0 && Same(careful, fast);
        }, iter: 2000, threads: 1);
        // Most samples must be taken, or the property would prove nothing.
        Assert.True(taken > 200, $"only {taken} of 2000 samples were taken by the quick reader");
    }

    private const string Head = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n";

    public static TheoryData<string, string, bool> BlockCases => new()
    {
        // name, YAML, whether the hand-written block reader takes it (if not, YamlDotNet's events or the careful reader do)
        { "the generated approvals' shape", "---\napiVersion: approvals.admission.dev/v1alpha1\nkind: ChangeApproval\nmetadata:\n  name: change-1\n  namespace: ns-0\nspec:\n  target:\n    apiGroup: apps\n    kind: Deployment\n  operations: [CREATE, UPDATE]\n  images:\n  - registry.example.com/app:1.0.1\n  reason: \"Roll out 1.0.1, load test\"\n  approvals:\n  - approver: alice\n    approvedAt: \"2026-12-01T19:14:56Z\"\n  - approver: bob\n", true },
        { "comments, blank lines, empty documents", "# c\n---\n\n--- # x\n" + Head + "  # inside\n\nx: 1 # trailing\ny: 'q' # after a quote\n---\n", true },
        { "a sequence indented under its key", Head + "x:\n  - a\n  - b: 1\n    c: 2\ny: z\n", true },
        { "core schema scalars", Head + "a: 1\nb: -2.5e3\nc: 0x1F\nd: true\ne: ~\nf: NULL\ng:\nh: .5\ni: 1_000\nj: 99999999999999999999\nk: .inf\nl: it's\nm: a,b\nn: k:v\no: ü\n", true },
        { "escapes JSON has", Head + "a: \"q\\\"\\\\\\/\\n\\t\\u00FC\"\nb: 'it''s'\nc: \"\"\nd: ''\n", true },
        { "flow collections", Head + "a: []\nb: {}\nc: [x, 'y', \"z\", [1, {k: v}]]\nd: {p: 1, q: [a]}\n", true },
        { "a key repeated in another mapping", Head + "a: {name: 1}\nb:\n  name: 2\n", true },
        { "a repeated key", Head + "a: 1\na: 2\n", false },
        { "a repeated key in a flow mapping", Head + "a: {k: 1, k: 2}\n", false },
        { "a repeated key in an entry", Head + "a:\n- k: 1\n  k: 2\n", false },
        { "a tab", Head + "a:\t1\n", false },
        { "CRLF", Head.Replace("\n", "\r\n", StringComparison.Ordinal), false },
        { "a Unicode line separator", Head + "a: one\u2028two\n", false },
        { "a next-line control", Head + "a: one\u0085two\n", false },
        { "a plain scalar over two lines", Head + "a: one\n  two\n", false },
        { "a quoted scalar over two lines", Head + "a: \"one\n  two\"\n", false },
        { "a block scalar", Head + "a: |\n  x\n", false },
        { "an escape beyond JSON's", Head + "a: \"\\x41\"\n", false },
        { "a surrogate escape", Head + "a: \"\\ud83d\\ude00\"\n", false },
        { "an anchor", Head + "a: &x 1\n", false },
        { "a tag", Head + "a: !!str 1\n", false },
        { "a quoted key", Head + "\"a\": 1\n", false },
        { "a mapping where a scalar is", Head + "a: b: c\n", false },
        { "a flow collection over two lines", Head + "a: [x,\n  y]\n", false },
        { "an empty flow entry", Head + "a: [x, ]\n", false },
        { "an entry on the next line", Head + "a:\n-\n  b: 1\n", false },
        { "a nested entry", Head + "a:\n- - x\n", false },
        { "a document end marker", Head + "...\n", false },
        { "content after ---", "--- " + Head, false },
        { "a deeper line that belongs nowhere", Head + "a:\n  b: 1\n   c: 2\n", false },
        { "a List kind", "apiVersion: v1\nkind: List\nitems: []\n", false },
    };

    [Theory]
    [MemberData(nameof(BlockCases))]
    public void The_block_reader_gives_what_the_careful_reader_gives_or_declines(string name, string yaml, bool taken)
    {
        var block = new List<Manifest>();
        var accepted = BlockYamlReader.TryRead(yaml, "f.yaml", "default", null, block);
        Assert.True(accepted == taken, $"{name}: the block reader {(accepted ? "took" : "declined")} it");
        if (accepted) AssertSame(yaml, block, name, onlyKinds: null);
        else Assert.Empty(block);
    }

    private static readonly Gen<string> BlockKey = Gen.String[Gen.Char["abk"], 1, 2];

    /// <summary>A value at column <paramref name="indent"/> after "key:": inline, or a block mapping or sequence on the lines below.</summary>
    private static Gen<string> BlockValue(int depth, int indent) => depth == 0 ? Value(1).Select(v => " " + v + "\n") : Gen.Frequency(
        (3, Value(1).Select(v => " " + v + "\n")),
        (1, Gen.Select(BlockKey.Array[1, 3], Gen.Int[1, 3], (keys, more) => (keys, more)).SelectMany(t =>
            Gen.Select(BlockValue(depth - 1, indent + t.more).Array[t.keys.Length], values =>
                "\n" + string.Concat(t.keys.Select((k, i) => new string(' ', indent + t.more) + k + ":" + values[i]))))),
        (1, Gen.Select(Gen.Int[0, 2], Gen.Int[1, 3], (at, n) => (at, n)).SelectMany(t =>
            Gen.OneOf(
                Value(1).Select(v => "- " + v + "\n"),
                Gen.Select(BlockKey, BlockKey, Value(0), Value(0), (k1, k2, v1, v2) =>
                    "- " + k1 + ": " + v1 + "\n" + new string(' ', indent + t.at + 2) + (k1 == k2 ? k2 + "x" : k2) + ": " + v2 + "\n"))
            .Array[t.n].Select(items => "\n" + string.Concat(items.Select(item => new string(' ', indent + t.at) + item)))))
    );

    /// <summary>Block mappings and sequences nested at random indentations, with the scalars and flow collections above.</summary>
    private static readonly Gen<string> BlockDocuments =
        Gen.Select(BlockKey.Array[0, 5], BlockValue(3, 0).Array[5], Gen.Int[1, 3], (keys, values, docs) =>
        {
            var sb = new StringBuilder();
            for (var d = 0; d < docs; d++)
            {
                sb.Append("---\n").Append(Head.Replace("name: n", "name: n" + d, StringComparison.Ordinal));
                for (var i = 0; i < keys.Length; i++) sb.Append(keys[i]).Append(':').Append(values[i]);
            }
            return sb.ToString();
        });

    [Fact]
    public void Random_block_documents_read_the_same_by_the_block_reader()
    {
        var taken = 0;
        Gen.OneOf(BlockDocuments, Documents).Sample(yaml =>
        {
            var block = new List<Manifest>();
            if (!BlockYamlReader.TryRead(yaml, "f.yaml", "default", Approvals, block)) return block.Count == 0;
            taken++;
            var errors = new List<InputError>();
            var careful = ManifestParser.Read(yaml, "f.yaml", "default", errors, Approvals);
            return errors.Count == 0 && Same(careful, block);
        }, iter: 3000, threads: 1);
        Assert.True(taken > 300, $"only {taken} of 3000 samples were taken by the block reader");
    }

    private static void AssertSame(string yaml, List<Manifest> fast, string name, IReadOnlySet<string>? onlyKinds)
    {
        var errors = new List<InputError>();
        var careful = ManifestParser.Read(yaml, "f.yaml", "default", errors, onlyKinds);
        Assert.True(errors.Count == 0, $"{name}: the careful reader found {string.Join("; ", errors)} but the quick one took it");
        Assert.True(Same(careful, fast), $"{name}:\n{Describe(careful)}\n{Describe(fast)}");
    }

    private static bool Same(List<Manifest> a, List<Manifest> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Line == p.Second.Line && p.First.ApiVersion == p.Second.ApiVersion &&
            p.First.Kind == p.Second.Kind && p.First.Namespace == p.Second.Namespace && p.First.Name == p.Second.Name &&
            JsonElement.DeepEquals(p.First.Object, p.Second.Object) && p.First.Object.GetRawText() == p.Second.Object.GetRawText());

    private static string Describe(List<Manifest> list) => string.Join("\n", list.Select(m => $"{m.Line} {m.Kind} {m.Namespace}/{m.Name} {m.Object.GetRawText()}"));
}
