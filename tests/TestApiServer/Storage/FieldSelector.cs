namespace Admission.TestApiServer.Storage;

/// <summary>
/// ?fieldSelector= with = , == and != on dotted paths (metadata.name, metadata.namespace, ...).
/// Unlike kube-apiserver, which allows only a few fields per type, any path is accepted.
/// </summary>
internal sealed class FieldSelector
{
    private readonly List<(string[] Path, string Value, bool Negate)> _terms = [];

    public static FieldSelector Parse(string? text)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var negate = part.Contains("!=", StringComparison.Ordinal);
            var op = negate ? "!=" : part.Contains("==", StringComparison.Ordinal) ? "==" : "=";
            var at = part.IndexOf(op, StringComparison.Ordinal);
            if (at <= 0)
            {
                throw new FormatException($"invalid selector: '{part}'; can't understand '{part}'");
            }

            selector._terms.Add((part[..at].Trim().Split('.'), part[(at + op.Length)..].Trim(), negate));
        }

        return selector;
    }

    /// <summary>The single metadata.name this selector pins, if any: a kubectl wait/delete watch uses that form.</summary>
    public string? PinnedName =>
        _terms.Where(t => !t.Negate && t.Path is ["metadata", "name"]).Select(t => t.Value).FirstOrDefault();

    public bool Matches(JsonNode? obj)
    {
        foreach (var (path, value, negate) in _terms)
        {
            JsonNode? node = obj;
            foreach (var segment in path)
            {
                node = node is JsonObject o ? o[segment] : null;
            }

            var actual = node switch
            {
                null => "",
                JsonValue v => v.ToString(),
                _ => node.ToJsonString(),
            };
            if ((actual == value) == negate)
            {
                return false;
            }
        }

        return true;
    }
}
