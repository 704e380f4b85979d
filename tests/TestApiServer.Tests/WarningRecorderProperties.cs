using CsCheck;

namespace Admission.TestApiServer.Tests;

/// <summary>Invariants of the warning recorder over any sequence of warning texts.</summary>
public sealed class WarningRecorderProperties
{
    private static readonly Gen<string> Text =
        Gen.OneOfConst("a", "bb", "é", "😀", "\n", "\t", "\"", "\\", new string('x', 100), new string('y', 700)).Array[0, 8].Select(string.Concat);

    private static readonly Gen<string[]> Texts = Text.Array[0, 30];

    private static string Unquoted(string header)
    {
        var inner = header["299 - \"".Length..^1];
        return inner.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
    }

    private static int Runes(string text) => text.EnumerateRunes().Count();

    // Not "headers are distinct": two texts that differ only past rune 256 are both sent, cut alike, as kube-apiserver does.
    [Fact]
    public void No_more_headers_than_distinct_texts_none_with_control_characters_and_each_begins_an_input_text() =>
        Texts.Sample(texts =>
        {
            var shown = WarningRecorder.HeadersFor(texts).Select(Unquoted).ToList();
            return shown.Count <= texts.Distinct().Count()
                && shown.All(t => !t.EnumerateRunes().Any(Rune.IsControl))
                && shown.All(t => texts.Any(input => input.StartsWith(t, StringComparison.Ordinal)));
        });

    [Fact]
    public void The_total_never_passes_the_limit_by_more_than_one_cut_text() =>
        Texts.Sample(texts =>
            WarningRecorder.HeadersFor(texts).Sum(h => Runes(Unquoted(h))) < WarningRecorder.TotalRunes + WarningRecorder.ItemRunes);

    [Fact]
    public void Within_the_limit_every_distinct_valid_text_is_sent_whole_in_order() =>
        Texts.Sample(texts =>
        {
            var valid = texts.Where(t => t.Length > 0 && !t.EnumerateRunes().Any(Rune.IsControl)).Distinct().ToList();
            if (texts.Where(t => t.Length > 0).Distinct().Sum(Runes) > WarningRecorder.TotalRunes)
            {
                return true;
            }

            return WarningRecorder.HeadersFor(texts).Select(Unquoted).SequenceEqual(valid);
        });
}
