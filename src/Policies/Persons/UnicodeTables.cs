using System.Collections.Frozen;
using System.Globalization;

namespace Admission.Policies;

/// <summary>
/// The Unicode data embedded with the engine (Persons/Data, extracted by hack/unicode-tables.py):
/// decompositions, combining classes, composition exclusions, case folding and confusables.
/// Loaded once, on first use.
/// </summary>
internal static class UnicodeTables
{
    public static readonly FrozenDictionary<int, int> CombiningClass;
    public static readonly FrozenDictionary<int, int[]> Canonical;
    /// <summary>Compatibility and canonical decompositions (NFKD uses both).</summary>
    public static readonly FrozenDictionary<int, int[]> Compatibility;
    public static readonly FrozenDictionary<long, int> Composition;
    public static readonly FrozenDictionary<int, int[]> CaseFolding;
    public static readonly FrozenDictionary<int, int[]> Confusables;

    static UnicodeTables()
    {
        var ccc = new Dictionary<int, int>();
        var canonical = new Dictionary<int, int[]>();
        var compat = new Dictionary<int, int[]>();
        foreach (var f in Lines("normalization"))
        {
            var cp = Hex(f[0]);
            var cls = int.Parse(f[1], CultureInfo.InvariantCulture);
            if (cls != 0) ccc[cp] = cls;
            if (f[2] == "-") continue;
            var mapping = CodePoints(f[3]);
            compat[cp] = mapping;
            if (f[2] == "c") canonical[cp] = mapping;
        }
        var excluded = new HashSet<int>();
        foreach (var f in Lines("composition-exclusions"))
        {
            var range = f[0].Split("..");
            var first = Hex(range[0]);
            var last = range.Length > 1 ? Hex(range[1]) : first;
            for (var cp = first; cp <= last; cp++) excluded.Add(cp);
        }
        var composition = new Dictionary<long, int>();
        foreach (var (cp, mapping) in canonical)
        {
            if (mapping.Length == 2 && !excluded.Contains(cp)) composition[Pair(mapping[0], mapping[1])] = cp;
        }
        CombiningClass = ccc.ToFrozenDictionary();
        Canonical = canonical.ToFrozenDictionary();
        Compatibility = compat.ToFrozenDictionary();
        Composition = composition.ToFrozenDictionary();
        CaseFolding = Lines("casefolding").ToFrozenDictionary(f => Hex(f[0]), f => CodePoints(f[1]));
        Confusables = Lines("confusables").ToFrozenDictionary(f => CodePoints(f[0])[0], f => CodePoints(f[1]));
    }

    public static long Pair(int first, int second) => ((long)first << 21) | (uint)second;

    public static int Ccc(int cp) => cp < 0x300 ? 0 : CombiningClass.GetValueOrDefault(cp);

    private static int Hex(string text) => int.Parse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static int[] CodePoints(string text) =>
        [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Hex)];

    private static List<string[]> Lines(string table)
    {
        var name = $"Admission.Policies.Persons.{table}.txt";
        using var stream = typeof(UnicodeTables).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the engine was built without its Unicode data ({name})");
        using var reader = new StreamReader(stream);
        var lines = new List<string[]>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            lines.Add(line.Split(';'));
        }
        return lines;
    }
}
