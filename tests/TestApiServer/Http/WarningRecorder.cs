namespace Admission.TestApiServer.Http;

/// <summary>
/// The Warning headers of one response, as kube-apiserver's warning recorder
/// (k8s.io/apiserver/pkg/endpoints/filters/warning.go) writes them: empty texts are skipped, a text
/// already warned is dropped, a text with a control character (newline, tab...) is dropped because
/// it cannot be a warn-text, and once the texts pass 4,096 runes in total every text is cut to 256
/// runes and whatever still does not fit is left out.
/// </summary>
internal sealed class WarningRecorder
{
    public const int TotalRunes = 4 * 1024;
    public const int ItemRunes = 256;

    private readonly HashSet<string> _recorded = new(StringComparer.Ordinal);
    private readonly List<string> _ordered = [];
    private readonly List<string> _headers = [];
    private int _written;
    private bool _truncating;

    public IReadOnlyList<string> Headers => _headers;

    public static IReadOnlyList<string> HeadersFor(IEnumerable<string> texts)
    {
        var recorder = new WarningRecorder();
        foreach (var text in texts)
        {
            recorder.Add(text);
        }

        return recorder.Headers;
    }

    public void Add(string text)
    {
        if (text.Length == 0 || (_truncating && _written >= TotalRunes) || !_recorded.Add(text))
        {
            return;
        }

        _ordered.Add(text);
        var shown = _truncating ? Truncated(text) : text;
        if (Header(shown) is not { } header)
        {
            return;
        }

        var runes = RuneCount(shown);
        if (_written + runes <= TotalRunes || _truncating)
        {
            _written += runes;
            _headers.Add(header);
            return;
        }

        // Over the limit for the first time: start again with every text so far cut short.
        _truncating = true;
        _written = 0;
        _headers.Clear();
        foreach (var earlier in _ordered)
        {
            var cut = Truncated(earlier);
            if (Header(cut) is { } replayed)
            {
                _written += RuneCount(cut);
                _headers.Add(replayed);
            }
        }
    }

    /// <summary>RFC 7234 warn-code 299, agent "-", the text quoted; null when the text has a control character.</summary>
    private static string? Header(string text)
    {
        var quoted = new StringBuilder("299 - \"", text.Length + 9);
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsControl(rune))
            {
                return null;
            }

            if (rune.Value is '"' or '\\')
            {
                quoted.Append('\\');
            }

            quoted.Append(rune.ToString());
        }

        return quoted.Append('"').ToString();
    }

    private static int RuneCount(string text) => text.EnumerateRunes().Count();

    private static string Truncated(string text)
    {
        if (RuneCount(text) <= ItemRunes)
        {
            return text;
        }

        var builder = new StringBuilder();
        foreach (var rune in text.EnumerateRunes().Take(ItemRunes))
        {
            builder.Append(rune.ToString());
        }

        return builder.ToString();
    }
}
