namespace Admission.Kubernetes;

/// <summary>The API server's Warning headers (<c>299 - "text"</c>: deprecations, webhook warnings), as kubectl prints them.</summary>
public static class WarningHeaders
{
    public static IReadOnlyList<string> Of(HttpResponseMessage? response)
    {
        if (response is null || !response.Headers.TryGetValues("Warning", out var values)) return [];
        var result = new List<string>();
        foreach (var value in values)
        {
            result.Add(Parse(value));
        }
        return result;
    }

    /// <summary>RFC 7234 warning value <c>299 - "text"</c> to its text.</summary>
    public static string Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var first = value.IndexOf('"', StringComparison.Ordinal);
        var last = value.LastIndexOf('"');
        if (first < 0 || last <= first) return value;
        return value[(first + 1)..last].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
    }
}
