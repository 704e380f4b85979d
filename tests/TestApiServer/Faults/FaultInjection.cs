namespace Admission.TestApiServer;

/// <summary>What a fault rule is asked about: a request's verb and resource, named as RBAC names them.</summary>
/// <param name="Verb">get, list, watch, create, update, patch, delete, deletecollection.</param>
/// <param name="Group">The API group ("" for core).</param>
/// <param name="Resource">The plural, e.g. changeapprovals.</param>
/// <param name="Subresource">"" or status, scale, ….</param>
public sealed record FaultTarget(string Verb, string Group, string Resource, string Subresource, string? Namespace, string? Name);

/// <summary>An error answered in place of the request's real answer, as kube-apiserver words it.</summary>
/// <param name="RetryAfter">Sent as <c>Retry-After</c> (whole seconds) and <c>details.retryAfterSeconds</c>.</param>
public sealed record Fault(int Code, TimeSpan? RetryAfter = null)
{
    public static Fault InternalError { get; } = new(500);

    public static Fault Unavailable(TimeSpan? retryAfter = null) => new(503, retryAfter);

    /// <summary>API Priority and Fairness rejecting a request: kube-apiserver always says when to retry.</summary>
    public static Fault TooManyRequests(TimeSpan retryAfter) => new(429, retryAfter);

    internal JsonObject Body()
    {
        var (reason, message) = Code switch
        {
            429 => ("TooManyRequests", "the server has received too many requests and has temporarily blocked this request (injected fault)"),
            503 => ("ServiceUnavailable", "the server is currently unable to handle the request (injected fault)"),
            500 => ("InternalError", "Internal error occurred: injected fault"),
            _ => ("", $"injected fault {Code}"),
        };
        var details = RetryAfter is { } after ? new JsonObject { ["retryAfterSeconds"] = Seconds(after) } : null;
        return StatusBodies.Failure(Code, reason, message, details);
    }

    internal static int Seconds(TimeSpan t) => (int)Math.Ceiling(t.TotalSeconds);
}

/// <summary>
/// Faults a test switches on and off while the server runs: each request is checked, after
/// authentication and routing, against the rules in order, and the first that matches answers
/// instead of the server. Watches already open are not touched (end them with CloseWatches).
/// </summary>
public sealed class FaultInjection
{
    private volatile (Func<FaultTarget, bool> Match, Fault Fault)[] _rules = [];
    private int _injected;

    /// <summary>How many requests were answered by a fault so far.</summary>
    public int Injected => Volatile.Read(ref _injected);

    public void Add(Func<FaultTarget, bool> match, Fault fault)
    {
        lock (this) _rules = [.. _rules, (match, fault)];
    }

    /// <summary>Every request to these resources (plural names) in any group, any verb.</summary>
    public void AddForResources(Fault fault, params string[] resources) => Add(t => resources.Contains(t.Resource), fault);

    public void Clear()
    {
        lock (this) _rules = [];
    }

    internal async Task<bool> TryAnswerAsync(HttpContext http, string verb, ApiPath path)
    {
        var rules = _rules;
        if (rules.Length == 0) return false;
        var target = new FaultTarget(verb, path.Resource.Group, path.Resource.Plural, path.Subresource, path.Namespace, path.Name);
        foreach (var (match, fault) in rules)
        {
            if (!match(target)) continue;
            Interlocked.Increment(ref _injected);
            if (fault.RetryAfter is { } after)
            {
                http.Response.Headers.RetryAfter = Fault.Seconds(after).ToString(CultureInfo.InvariantCulture);
            }
            await HttpJson.WriteAsync(http, fault.Code, fault.Body());
            return true;
        }
        return false;
    }
}
