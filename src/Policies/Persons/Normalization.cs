namespace Admission.Policies;

/// <summary>
/// Unicode normalization (UAX #15) from the embedded tables. string.Normalize cannot be used: with
/// InvariantGlobalization (set for the whole build, and the runtime image has no ICU) it returns
/// non-ASCII text unchanged, which would make "ａｌｉｃｅ" and "alice" two people.
/// </summary>
internal static class Normalization
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    /// <summary>NFKC of a sequence of code points, in place.</summary>
    public static void Nfkc(List<int> text)
    {
        Decompose(text, compatibility: true);
        Compose(text);
    }

    /// <summary>NFD of a sequence of code points, in place.</summary>
    public static void Nfd(List<int> text) => Decompose(text, compatibility: false);

    public static List<int> CodePoints(string text)
    {
        var list = new List<int>(text.Length);
        foreach (var rune in text.EnumerateRunes()) list.Add(rune.Value);
        return list;
    }

    public static string ToText(List<int> text)
    {
        var sb = new System.Text.StringBuilder(text.Count);
        foreach (var cp in text) sb.Append(char.ConvertFromUtf32(cp));
        return sb.ToString();
    }

    private static void Decompose(List<int> text, bool compatibility)
    {
        var table = compatibility ? UnicodeTables.Compatibility : UnicodeTables.Canonical;
        var needed = false;
        foreach (var cp in text)
        {
            if (cp >= 0xA0) { needed = true; break; }
        }
        if (!needed) return; // ASCII and the C1 controls decompose to themselves
        var output = new List<int>(text.Count + 4);
        foreach (var cp in text) DecomposeInto(cp, table, output);
        // Canonical ordering: stable sort of each run of non-starters by combining class.
        for (var i = 1; i < output.Count; i++)
        {
            var cls = UnicodeTables.Ccc(output[i]);
            if (cls == 0) continue;
            for (var j = i; j > 0 && UnicodeTables.Ccc(output[j - 1]) > cls; j--)
            {
                (output[j - 1], output[j]) = (output[j], output[j - 1]);
            }
        }
        text.Clear();
        text.AddRange(output);
    }

    private static void DecomposeInto(int cp, System.Collections.Frozen.FrozenDictionary<int, int[]> table, List<int> output)
    {
        if (cp >= SBase && cp < SBase + SCount)
        {
            var s = cp - SBase;
            output.Add(LBase + s / NCount);
            output.Add(VBase + s % NCount / TCount);
            if (s % TCount != 0) output.Add(TBase + s % TCount);
            return;
        }
        if (table.TryGetValue(cp, out var mapping))
        {
            foreach (var c in mapping) DecomposeInto(c, table, output);
            return;
        }
        output.Add(cp);
    }

    /// <summary>Canonical composition of a decomposed, canonically ordered sequence.</summary>
    private static void Compose(List<int> text)
    {
        if (text.Count < 2) return;
        var starterAt = 0;
        var starter = text[0];
        // 256: no starter seen yet, so nothing may compose with text[0].
        var lastClass = UnicodeTables.Ccc(starter) == 0 ? 0 : 256;
        var write = 1;
        for (var read = 1; read < text.Count; read++)
        {
            var c = text[read];
            var cls = UnicodeTables.Ccc(c);
            if ((lastClass < cls || lastClass == 0) && TryCompose(starter, c, out var composite))
            {
                text[starterAt] = starter = composite;
                continue;
            }
            if (cls == 0)
            {
                starterAt = write;
                starter = c;
            }
            lastClass = cls;
            text[write++] = c;
        }
        text.RemoveRange(write, text.Count - write);
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        if (first >= LBase && first < LBase + LCount && second >= VBase && second < VBase + VCount)
        {
            composite = SBase + ((first - LBase) * VCount + (second - VBase)) * TCount;
            return true;
        }
        if (first >= SBase && first < SBase + SCount && (first - SBase) % TCount == 0 && second > TBase && second < TBase + TCount)
        {
            composite = first + (second - TBase);
            return true;
        }
        return UnicodeTables.Composition.TryGetValue(UnicodeTables.Pair(first, second), out composite);
    }
}
