using System.Globalization;
using System.Text;

namespace Admission.Policies;

/// <summary>
/// Whether two usernames name the same person (contract, "Words"): the one place that decides it,
/// used for "not the requester", "distinct approvers" and status <c>approvedBy</c>. Comparing
/// strings instead would let <c>Alice</c> approve after <c>alice</c>, or <c>cаrol</c> (Cyrillic а)
/// approve carol's own request.
/// </summary>
public static class PersonNames
{
    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> name the same person.</summary>
    public static bool Same(string a, string b) => string.Equals(a, b, StringComparison.Ordinal) || Key(a) == Key(b);

    /// <summary>
    /// The person a username names, as a string: NFKC, then invisible format characters (Cf)
    /// removed, leading and trailing white space removed, full case folding, and the UTS #39
    /// skeleton (NFD, each character mapped to its confusable prototype, NFD again). Two
    /// usernames name the same person exactly when their keys are equal.
    /// </summary>
    public static string Key(string username) => Key(username, Kept);

    /// <summary>The same, reading and keeping keys in <paramref name="kept"/>.</summary>
    internal static string Key(string username, KeptKeys kept)
    {
        if (IsPlainLower(username) && !HasAsciiConfusable(username)) return username;
        if (kept.TryGet(username, out var key)) return key;
        key = Uncached(username);
        kept.Keep(username, key);
        return key;
    }

    /// <summary>
    /// The keys of usernames already seen. The same few requesters and approvers recur on every
    /// decision that assesses their approvals, and the key of one with a capital letter, a
    /// confusable character (the m of example.com) or anything beyond ASCII costs about a
    /// microsecond and a kilobyte; a lookup costs neither. The key is a function of the username
    /// alone, so keeping it changes no answer.
    /// </summary>
    private static readonly KeptKeys Kept = new(10_000);

    /// <summary>The key computed afresh, never from or into what is kept.</summary>
    internal static string Uncached(string username)
    {
        if (IsPlainLower(username)) return AsciiSkeleton(username);
        var text = Normalization.CodePoints(username);
        Normalization.Nfkc(text);
        text.RemoveAll(cp => CharUnicodeInfo.GetUnicodeCategory(cp) == UnicodeCategory.Format);
        var start = 0;
        while (start < text.Count && Rune.IsWhiteSpace(new Rune(text[start]))) start++;
        var end = text.Count;
        while (end > start && Rune.IsWhiteSpace(new Rune(text[end - 1]))) end--;
        var folded = new List<int>(end - start);
        for (var i = start; i < end; i++)
        {
            if (UnicodeTables.CaseFolding.TryGetValue(text[i], out var fold)) folded.AddRange(fold);
            else folded.Add(text[i]);
        }
        return Skeleton(folded);
    }

    private static string Skeleton(List<int> text)
    {
        Normalization.Nfd(text);
        var mapped = new List<int>(text.Count);
        foreach (var cp in text)
        {
            if (UnicodeTables.Confusables.TryGetValue(cp, out var prototype)) mapped.AddRange(prototype);
            else mapped.Add(cp);
        }
        Normalization.Nfd(mapped);
        return Normalization.ToText(mapped);
    }

    /// <summary>Most usernames are lower-case ASCII with no edge white space: NFKC, Cf and folding leave them alone.</summary>
    private static bool IsPlainLower(string s)
    {
        if (s.Length == 0 || s[0] == ' ' || s[^1] == ' ') return false;
        foreach (var c in s)
        {
            if (c < 0x20 || c > 0x7E || char.IsAsciiLetterUpper(c)) return false;
        }
        return true;
    }

    private static string AsciiSkeleton(string s) => HasAsciiConfusable(s) ? Skeleton(Normalization.CodePoints(s)) : s;

    /// <summary>For printable ASCII: whether a character has a prototype other than itself.</summary>
    private static bool HasAsciiConfusable(string s)
    {
        foreach (var c in s)
        {
            if (AsciiConfusable[c]) return true;
        }
        return false;
    }

    /// <summary>The ASCII characters with a prototype other than themselves (0, 1, I, m, |, ...): a table, not a lookup per character.</summary>
    private static readonly bool[] AsciiConfusable = BuildAsciiConfusable();

    private static bool[] BuildAsciiConfusable()
    {
        var table = new bool[128];
        foreach (var cp in UnicodeTables.Confusables.Keys)
        {
            if (cp < 128) table[cp] = true;
        }
        return table;
    }
}
