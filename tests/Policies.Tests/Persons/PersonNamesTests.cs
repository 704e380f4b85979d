namespace Admission.Policies.Tests.Persons;

/// <summary>Contract, "Words": when two usernames name the same person.</summary>
public class PersonNamesTests
{
    public static readonly Table<(string A, string B, bool Same)> Pairs = new()
    {
        { "identical", ("alice", "alice", true) },
        { "case", ("Alice", "alice", true) },
        { "trailing white space", ("alice ", "alice", true) },
        { "leading tab and no-break space", ("\t\u00A0alice", "alice", true) },
        { "Cyrillic а for Latin a", ("\u0430lice", "alice", true) },
        { "Cyrillic а in carol", ("c\u0430rol", "carol", true) },
        { "zero-width space inside", ("ali\u200Bce", "alice", true) },
        { "soft hyphen and word joiner", ("al\u00ADi\u2060ce", "alice", true) },
        { "fullwidth letters (NFKC)", ("\uFF41\uFF4C\uFF49\uFF43\uFF45", "alice", true) },
        { "mathematical bold (NFKC)", ("\U0001D41A\U0001D425\U0001D422\U0001D41C\U0001D41E", "alice", true) },
        { "decomposed é against composed é", ("re\u0301my", "r\u00E9my", true) },
        { "Kelvin sign against K", ("\u212Aate", "kate", true) },
        { "German sharp s folds to ss", ("stra\u00DFe", "STRASSE", true) },
        { "Greek capital omicron for O", ("b\u039Fb", "bob", true) },
        { "digit one for l (confusable)", ("a1ice", "alice", true) },
        { "rn for m (confusable)", ("rnallory", "mallory", true) },
        { "different people", ("alice", "bob", false) },
        { "a prefix is another person", ("alice", "alicea", false) },
        { "inner white space stays", ("al ice", "alice", false) },
        { "accent is not removed", ("r\u00E9my", "remy", false) },
        { "system accounts differ by name", ("system:serviceaccount:ci:deployer", "system:serviceaccount:ci:deployer2", false) },
    };

    [Theory, RowsOf(nameof(Pairs))]
    public void Same_person_or_not(string row)
    {
        var (a, b, same) = Pairs[row];
        Assert.Equal(same, PersonNames.Same(a, b));
        Assert.Equal(same, PersonNames.Same(b, a));
        Assert.Equal(same, PersonNames.Key(a) == PersonNames.Key(b));
    }

    private static readonly Gen<string> Name = Gen.String[Gen.Char['a', 'z'], 1, 10];

    /// <summary>Every way of writing a name differently that still names the same person.</summary>
    private static readonly Gen<Func<string, string>> Disguise = Gen.OneOfConst<Func<string, string>>(
        s => s.ToUpperInvariant(),
        s => " " + s + "\t",
        s => s.Replace("a", "\u0430", StringComparison.Ordinal).Replace("o", "\u043E", StringComparison.Ordinal).Replace("e", "\u0435", StringComparison.Ordinal),
        s => s.Insert(s.Length / 2, "\u200B"),
        s => string.Concat(s.Select(c => c is >= 'a' and <= 'z' ? (char)(c - 'a' + 0xFF41) : c)),
        s => "\uFEFF" + s,
        s => s.Replace("l", "1", StringComparison.Ordinal),
        s => s.Replace("m", "rn", StringComparison.Ordinal));

    [Fact]
    public void A_disguised_name_names_the_same_person() =>
        Gen.Select(Name, Disguise, Disguise).Sample((name, d1, d2) =>
        {
            var disguised = d2(d1(name));
            Assert.True(PersonNames.Same(name, disguised), $"\"{name}\" and \"{disguised}\"");
            Assert.True(PersonNames.Same(d1(name), disguised), $"\"{d1(name)}\" and \"{disguised}\"");
        }, iter: 2000);

    /// <summary>Usernames as they come: plain, capitalised, mail addresses, disguised, service accounts.</summary>
    private static readonly Gen<string> Username = Gen.OneOf(
        Name,
        Gen.Select(Name, Disguise, (n, d) => d(n)),
        Gen.Select(Name, Name, (user, domain) => user + "@" + domain + ".example.com"),
        Gen.Select(Name, Name, (ns, sa) => "system:serviceaccount:" + ns + ":" + sa),
        Gen.String[Gen.Char['\u0020', '\u04FF'], 0, 12]);

    [Fact]
    public void A_kept_key_is_the_key_computed_afresh()
    {
        // Its own keys, with room for every name drawn: the first call computes and keeps, the second reads what was kept.
        var kept = new KeptKeys(100_000);
        Gen.Select(Username, Username).Sample((a, b) =>
        {
            for (var i = 0; i < 2; i++)
            {
                Assert.Equal(PersonNames.Uncached(a), PersonNames.Key(a, kept));
                Assert.Equal(PersonNames.Uncached(b), PersonNames.Key(b, kept));
                Assert.Equal(PersonNames.Uncached(a) == PersonNames.Uncached(b), PersonNames.Same(a, b));
            }
        }, iter: 3000, threads: 1, print: t => $"\"{t.Item1}\" and \"{t.Item2}\"");
        Assert.True(kept.Count > 1000, $"only {kept.Count} keys were kept; the property barely read a kept key");
    }

    [Fact]
    public void Past_the_limit_keys_are_computed_and_not_kept()
    {
        var kept = new KeptKeys(3);
        string[] names = ["Alice@example.com", "Bob@example.com", "Carol@example.com", "Dave@example.com"];
        foreach (var name in names) Assert.Equal(PersonNames.Uncached(name), PersonNames.Key(name, kept));
        Assert.Equal(3, kept.Count);
        Assert.False(kept.Contains("Dave@example.com"));
        Assert.Equal(PersonNames.Uncached("Dave@example.com"), PersonNames.Key("Dave@example.com", kept));
        Assert.Equal(3, kept.Count);
        // Racing at the limit: never more than it.
        var racing = new KeptKeys(50);
        Parallel.For(0, 2000, i => PersonNames.Key($"Racer{i}@example.com", racing));
        Assert.Equal(50, racing.Count);
    }
}
