namespace Admission.TestApiServer.CustomResources;

/// <summary>
/// The OpenAPI formats kube-apiserver checks (k8s.io/kube-openapi's strfmt registry), those this
/// repository's CRD uses; unknown formats pass, as they do there.
/// </summary>
internal static partial class Formats
{
    public static bool IsValid(string format, string text) => format switch
    {
        "date-time" => TryParseDateTime(text, out _),
        "date" => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "int64" or "int32" => true,
        "byte" => IsBase64(text),
        _ => true,
    };

    /// <summary>
    /// RFC 3339 date-times as strfmt accepts them: a T or space between date and time, optional
    /// fractional seconds, Z or a numeric offset (and, like strfmt, the same without an offset).
    /// </summary>
    public static bool TryParseDateTime(string text, out DateTimeOffset value)
    {
        value = default;
        if (!DateTimeText().IsMatch(text))
        {
            return false;
        }

        var normalized = text.Replace(' ', 'T');
        if (!normalized.EndsWith('Z') && !OffsetSuffix().IsMatch(normalized))
        {
            normalized += "Z";
        }

        return DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    private static bool IsBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out _);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$")]
    private static partial Regex DateTimeText();

    [GeneratedRegex(@"[+-]\d{2}:\d{2}$")]
    private static partial Regex OffsetSuffix();
}
