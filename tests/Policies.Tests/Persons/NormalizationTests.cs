namespace Admission.Policies.Tests.Persons;

/// <summary>
/// The engine's own NFKC and NFD (string.Normalize does nothing under InvariantGlobalization)
/// against Unicode's conformance data: a sample of NormalizationTest.txt, every line checked.
/// </summary>
public class NormalizationTests
{
    private static readonly string[][] Lines =
    [
        .. File.ReadLines(RepoPaths.Get("tests", "Policies.Tests", "Persons", "NormalizationTest-sample.txt"))
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split(';')),
    ];

    [Fact]
    public void The_sample_is_large_enough_to_mean_something() => Assert.True(Lines.Length > 2000, $"{Lines.Length} lines");

    [Fact]
    public void Nfkc_of_every_column_is_the_nfkc_column()
        => AssertEveryLine("NFKC", Normalization.Nfkc, expectedColumn: 3, columns: [0, 1, 2, 3, 4]);

    [Fact]
    public void Nfd_of_the_source_and_nfc_columns_is_the_nfd_column()
        => AssertEveryLine("NFD", Normalization.Nfd, expectedColumn: 2, columns: [0, 1, 2]);

    /// <summary>Every line of the sample: each of <paramref name="columns"/>, normalized, is the expected column.</summary>
    private static void AssertEveryLine(string form, Action<List<int>> normalize, int expectedColumn, int[] columns)
    {
        var failures = new List<string>();
        foreach (var line in Lines)
        {
            var expected = Parse(line[expectedColumn]);
            foreach (var column in columns)
            {
                var text = Normalization.CodePoints(Parse(line[column]));
                normalize(text);
                if (Normalization.ToText(text) != expected) failures.Add($"{form}(c{column + 1}) of {string.Join(';', line)}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} failures, first: {string.Join("\n", failures.Take(5))}");
    }

    [Fact]
    public void The_build_really_has_no_working_string_Normalize_which_is_why_this_exists()
    {
        // If this starts failing, the runtime normalizes on its own again; the tables still agree with it.
        Assert.Equal("\uFF21", "\uFF21".Normalize(System.Text.NormalizationForm.FormKC));
    }

    private static string Parse(string column) =>
        string.Concat(column.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(h => char.ConvertFromUtf32(int.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture))));
}
