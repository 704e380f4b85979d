namespace Admission.Policies.Tests.Digest;

/// <summary>
/// The change digest depends on content only: key order, white space, how a number or a string
/// is spelled never change it; any change of content does.
/// </summary>
public class DigestProperties
{
    /// <summary>A JSON value as a test builds it, rendered in many spellings.</summary>
    public abstract record J;
    public sealed record JObj(IReadOnlyList<(string Key, J Value)> Members) : J;
    public sealed record JArr(IReadOnlyList<J> Items) : J;
    public sealed record JStr(string Value) : J;
    public sealed record JInt(long Value) : J;
    public sealed record JDbl(double Value) : J;
    public sealed record JBool(bool Value) : J;
    public sealed record JNull : J;

    private static readonly string[] KeyPool = ["a", "b", "A", "image", "é", "€", "😀", "\n", "x y", "דּ", "1", ""];

    private static readonly Gen<string> Str = Gen.OneOf(Gen.OneOfConst(KeyPool), Gen.String[Gen.Char.AlphaNumeric, 0, 6], Gen.String[Gen.Char[(char)0, (char)0x7ff], 0, 4]);

    // Integers within ±2^53, where 1 and 1.0 are the same double; beyond it the contract keeps digits.
    private static readonly Gen<J> Leaf = Gen.OneOf<J>(
        Str.Select(s => (J)new JStr(s)),
        Gen.Long[-(1L << 53), 1L << 53].Select(n => (J)new JInt(n)),
        Gen.Double.Where(d => double.IsFinite(d)).Select(d => (J)new JDbl(d)),
        Gen.Bool.Select(b => (J)new JBool(b)),
        Gen.Const<J>(new JNull()));

    private static Gen<J> Value(int depth) => depth == 0
        ? Leaf
        : Gen.Frequency(
            (3, Leaf),
            (2, Value(depth - 1).List[0, 4].Select(items => (J)new JArr(items))),
            (2, Object(depth - 1)));

    private static Gen<J> Object(int depth) =>
        Gen.Select(Gen.OneOfConst(KeyPool).HashSet[0, 5], Value(depth).Array[5], (keys, values) =>
            (J)new JObj([.. keys.Select((k, i) => (k, values[i]))]));

    /// <summary>A workload-shaped document: only <c>spec</c> varies, and it never holds <c>replicas</c>.</summary>
    private static readonly Gen<J> Doc = Object(3).Select(spec => (J)new JObj([("kind", new JStr("Deployment")), ("spec", spec)]));

    /// <summary>Writes <paramref name="value"/> with choices from <paramref name="random"/>: member order, white space, escapes, number spelling.</summary>
    public static string Render(J value, Random random)
    {
        var sb = new StringBuilder();
        Write(value, random, sb);
        return sb.ToString();
    }

    private static void Space(Random r, StringBuilder sb) => sb.Append(r.Next(4) switch { 0 => "", 1 => " ", 2 => "\n  ", _ => "\t\r\n" });

    private static void Write(J value, Random r, StringBuilder sb)
    {
        Space(r, sb);
        switch (value)
        {
            case JObj o:
                sb.Append('{');
                var members = o.Members.OrderBy(_ => r.Next()).ToList();
                for (var i = 0; i < members.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    Space(r, sb);
                    WriteString(members[i].Key, r, sb);
                    Space(r, sb);
                    sb.Append(':');
                    Write(members[i].Value, r, sb);
                }
                Space(r, sb);
                sb.Append('}');
                break;
            case JArr a:
                sb.Append('[');
                for (var i = 0; i < a.Items.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    Write(a.Items[i], r, sb);
                }
                sb.Append(']');
                break;
            case JStr s: WriteString(s.Value, r, sb); break;
            case JInt n:
                var digits = n.Value.ToString(CultureInfo.InvariantCulture);
                sb.Append(r.Next(4) switch { 0 => digits, 1 => digits + ".0", 2 => digits + "e0", _ => digits + ".000E+0" });
                break;
            case JDbl d:
                sb.Append(r.Next(2) == 0
                    ? d.Value.ToString("R", CultureInfo.InvariantCulture)
                    : d.Value.ToString("E16", CultureInfo.InvariantCulture));
                break;
            case JBool b: sb.Append(b.Value ? "true" : "false"); break;
            default: sb.Append("null"); break;
        }
        Space(r, sb);
    }

    private static void WriteString(string s, Random r, StringBuilder sb)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            if (c is '"' or '\\' || c < 0x20 || char.IsSurrogate(c) || r.Next(3) == 0) sb.Append("\\u").Append(((int)c).ToString(r.Next(2) == 0 ? "x4" : "X4", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        sb.Append('"');
    }

    private static string Digest(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return ChangeDigest.Of(doc.RootElement, AdmissionPolicy.Default);
    }

    [Fact]
    public void Spelling_never_changes_the_digest()
    {
        Gen.Select(Doc, Gen.Int, Gen.Int).Sample((doc, seedA, seedB) =>
        {
            var a = Render(doc, new Random(seedA));
            var b = Render(doc, new Random(seedB));
            Assert.Equal(Digest(a), Digest(b));
        }, iter: 2000, print: t => Render(t.Item1, new Random(t.Item2)));
    }

    /// <summary>One change of content: a leaf replaced by a different value, a member added or removed, an item appended.</summary>
    private static J Mutate(J value, ref int choice)
    {
        switch (value)
        {
            case JObj o:
                if (choice-- == 0) return new JObj([.. o.Members, (NewKey(o), new JNull())]);
                if (o.Members.Count > 0 && choice-- == 0) return new JObj([.. o.Members.Skip(1)]);
                for (var i = 0; i < o.Members.Count; i++)
                {
                    var changed = Mutate(o.Members[i].Value, ref choice);
                    if (!ReferenceEquals(changed, o.Members[i].Value))
                    {
                        var list = o.Members.ToList();
                        list[i] = (list[i].Key, changed);
                        return new JObj(list);
                    }
                }
                return o;
            case JArr a:
                if (choice-- == 0) return new JArr([.. a.Items, new JBool(true)]);
                for (var i = 0; i < a.Items.Count; i++)
                {
                    var changed = Mutate(a.Items[i], ref choice);
                    if (!ReferenceEquals(changed, a.Items[i]))
                    {
                        var list = a.Items.ToList();
                        list[i] = changed;
                        return new JArr(list);
                    }
                }
                return a;
            default:
                if (choice-- != 0) return value;
                return value switch
                {
                    JStr s => new JStr(s.Value + "x"),
                    JInt n => new JInt(n.Value == long.MaxValue ? 0 : n.Value + 1),
                    JDbl d => new JStr(d.Value.ToString("R", CultureInfo.InvariantCulture)),
                    JBool b => new JBool(!b.Value),
                    _ => new JInt(0),
                };
        }
    }

    private static string NewKey(JObj o)
    {
        var key = "new";
        while (o.Members.Any(m => m.Key == key)) key += "_";
        return key;
    }

    [Fact]
    public void Any_change_of_content_changes_the_digest()
    {
        var tried = 0;
        Gen.Select(Doc, Gen.Int[0, 40], Gen.Int).Sample((doc, pick, seed) =>
        {
            var spec = ((JObj)doc).Members[1].Value;
            var choice = pick;
            var mutated = Mutate(spec, ref choice);
            if (ReferenceEquals(mutated, spec)) return; // pick beyond the document's size
            Interlocked.Increment(ref tried);
            var other = new JObj([("kind", new JStr("Deployment")), ("spec", mutated)]);
            Assert.NotEqual(Digest(Render(doc, new Random(seed))), Digest(Render(other, new Random(seed))));
        }, iter: 2000, print: t => Render(t.Item1, new Random(0)) + " pick " + t.Item2);
        Assert.True(tried > 500, $"only {tried} mutations applied; the property barely ran");
    }
}
