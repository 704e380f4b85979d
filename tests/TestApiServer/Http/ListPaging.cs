namespace Admission.TestApiServer.Http;

/// <summary>
/// <c>limit</c> and <c>continue</c> on lists, as kube-apiserver serves a list read from etcd: items
/// in key order (namespace, then name), cut into pages of at most <c>limit</c>; every page is read
/// as of the first page's resourceVersion (etcd serves the remaining keys at that revision), which
/// here is a snapshot of the rest of the list taken with the first page. A token whose
/// resourceVersion has since been compacted (<see cref="TestApiServer.ExpireResourceVersions"/>)
/// is 410 Expired with kube-apiserver's message; kube-apiserver also offers a token for an
/// inconsistent remainder, which this does not.
/// </summary>
internal sealed class ListPaging
{
    /// <summary>kube-apiserver's words (staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go, continueExpired).</summary>
    public const string ContinueExpired = "The provided continue parameter is too old to display a consistent list result. " +
        "You can start a new list without the continue parameter, or use the continue token in this response to retrieve " +
        "the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that " +
        "were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

    private readonly ConcurrentDictionary<string, Remainder> _remainders = new(StringComparer.Ordinal);

    private sealed record Remainder(long ResourceVersion, List<JsonObject> Items);

    /// <summary>One page of a list, and the token for the next (null on the last page).</summary>
    public sealed record Page(List<JsonObject> Items, long ResourceVersion, string? Continue, int? RemainingItemCount);

    /// <param name="list">Reads the whole list, filtered by the request's selectors, and its resourceVersion: called for a first page only.</param>
    /// <param name="compacted">The oldest resourceVersion the store can still serve.</param>
    /// <param name="countRemaining">Whether to say how many items are left (kube-apiserver does only for a list without selectors).</param>
    public Page Serve(ApiRequest request, Func<(List<JsonObject> Items, long ResourceVersion)> list, long compacted, bool countRemaining)
    {
        var limit = Limit(request.Query("limit"));
        List<JsonObject> items;
        long rv;
        if (request.Query("continue") is not { Length: > 0 } token)
        {
            (items, rv) = list();
        }
        else
        {
            // A token serves one page: taken out whether that page is served or refused.
            if (!_remainders.TryRemove(Decode(token), out var remainder)) throw StatusBodies.BadRequest("invalid continue token: it was not issued by this server");
            if (remainder.ResourceVersion < compacted) throw new ApiException(StatusBodies.Gone(ContinueExpired));
            (items, rv) = (remainder.Items, remainder.ResourceVersion);
        }
        if (limit is not { } n || items.Count <= n) return new Page(items, rv, null, null);

        var next = Guid.NewGuid().ToString("N");
        var rest = items.GetRange(n, items.Count - n);
        _remainders[next] = new Remainder(rv, rest);
        var start = Meta.Namespace(rest[0]) is { Length: > 0 } ns ? ns + "/" + Meta.Name(rest[0]) : Meta.Name(rest[0]);
        return new Page(items.GetRange(0, n), rv, Encode(rv, start, next), countRemaining ? rest.Count : null);
    }

    /// <summary>A positive limit pages; zero or none lists everything, as kube-apiserver treats them.</summary>
    private static int? Limit(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (!long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var limit))
        {
            throw StatusBodies.BadRequest($"limit: Invalid value: \"{value}\": must be an integer");
        }
        return limit > 0 ? (int)Math.Min(limit, int.MaxValue) : null;
    }

    /// <summary>Shaped as kube-apiserver's (base64 of {"v","rv","start"}), with this server's snapshot id beside them.</summary>
    private static string Encode(long rv, string start, string id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = rv, ["start"] = start + "\u0000", ["id"] = id }.ToJsonString()))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Decode(string token)
    {
        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var json = JsonNode.Parse(Convert.FromBase64String(padded))?.AsObject();
            if (json?["v"]?.ToString() != "meta.k8s.io/v1" || json["id"]?.ToString() is not { Length: > 0 } id) throw new FormatException("not a continue token of meta.k8s.io/v1");
            return id;
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            throw StatusBodies.BadRequest($"invalid continue token: {e.Message}");
        }
    }
}
