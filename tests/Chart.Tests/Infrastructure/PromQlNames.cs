namespace Admission.Chart.Tests.Infrastructure;

/// <summary>
/// The metric names a PromQL expression reads. Not a PromQL parser: it removes what cannot be a
/// metric name (strings, label matchers, ranges, by/without/on/ignoring lists, Grafana variables)
/// and keeps the identifiers that are not functions, keywords or numbers. Good enough for the
/// chart's own expressions, which a test also hands to promtool.
/// </summary>
internal static partial class PromQlNames
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan",
    };

    public static IReadOnlySet<string> Of(string expr)
    {
        var text = NotNames.Aggregate(expr, (t, pattern) => pattern.Replace(t, " "));
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Identifier().Matches(text))
        {
            var name = m.Groups["name"].Value;
            if (m.Groups["call"].Success || Keywords.Contains(name.ToLowerInvariant())) continue;
            names.Add(name);
        }
        return names;
    }

    /// <summary>
    /// What cannot be a metric name, blanked out in this order: strings first, so that a brace or
    /// bracket inside a label value is not taken for a matcher or a range; then label matchers,
    /// range and subquery brackets, and by/without/on/ignoring/group_* label lists.
    /// </summary>
    private static readonly Regex[] NotNames =
    [
        new(@"""(?:[^""\\]|\\.)*""|'(?:[^'\\]|\\.)*'"),
        new(@"\{[^}]*\}"),
        new(@"\[[^\]]*\]"),
        new(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"),
    ];

    // An identifier not preceded by a digit, dot or $ (numbers such as 1e3, Grafana's $job).
    [GeneratedRegex(@"(?<![0-9.$\w])(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<call>\s*\()?")]
    private static partial Regex Identifier();
}
