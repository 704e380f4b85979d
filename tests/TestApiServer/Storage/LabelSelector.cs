namespace Admission.TestApiServer.Storage;

/// <summary>
/// The string form of a label selector, as in ?labelSelector=: a=b, a==b, a!=b, a in (x,y),
/// a notin (x), a, !a; requirements joined by commas.
/// </summary>
internal sealed class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _requirements = [];

    public static LabelSelector Everything { get; } = new();

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var part in SplitTopLevel(text))
        {
            selector._requirements.Add(ParseRequirement(part.Trim()));
        }

        return selector;
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _requirements.TrueForAll(r => r(labels));

    public bool Matches(JsonNode? obj) => Matches(LabelsOf(obj));

    public static Dictionary<string, string> LabelsOf(JsonNode? obj)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj?["metadata"]?["labels"] is JsonObject map)
        {
            foreach (var (key, value) in map)
            {
                labels[key] = value?.ToString() ?? "";
            }
        }

        return labels;
    }

    private static Func<IReadOnlyDictionary<string, string>, bool> ParseRequirement(string part)
    {
        if (part.Length == 0)
        {
            throw new FormatException("empty requirement");
        }

        var words = part.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 2 && (words[1].StartsWith("in ", StringComparison.Ordinal) || words[1].StartsWith("in(", StringComparison.Ordinal)
            || words[1].StartsWith("notin", StringComparison.Ordinal)))
        {
            var key = words[0];
            var negate = words[1].StartsWith("notin", StringComparison.Ordinal);
            var set = ParseSet(words[1][(negate ? 5 : 2)..]);
            return negate
                ? labels => !labels.TryGetValue(key, out var v) || !set.Contains(v)
                : labels => labels.TryGetValue(key, out var v) && set.Contains(v);
        }

        foreach (var op in new[] { "!=", "==", "=" })
        {
            var at = part.IndexOf(op, StringComparison.Ordinal);
            if (at > 0)
            {
                var key = part[..at].Trim();
                var value = part[(at + op.Length)..].Trim();
                return op == "!="
                    ? labels => !labels.TryGetValue(key, out var v) || v != value
                    : labels => labels.TryGetValue(key, out var v) && v == value;
            }
        }

        if (part.StartsWith('!'))
        {
            var key = part[1..].Trim();
            return labels => !labels.ContainsKey(key);
        }

        return labels => labels.ContainsKey(part);
    }

    private static HashSet<string> ParseSet(string text)
    {
        text = text.Trim();
        if (!text.StartsWith('(') || !text.EndsWith(')'))
        {
            throw new FormatException($"expected a parenthesised set, got \"{text}\"");
        }

        return text[1..^1].Split(',', StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }
}
