namespace Admission.TestApiServer.Http;

/// <summary>One request the server answered, for tests to inspect.</summary>
/// <param name="User">The authenticated username, or null when authentication failed or was not needed.</param>
/// <param name="Status">The HTTP status; for a watch, 200 as soon as the stream opened.</param>
public sealed record RequestRecord(DateTimeOffset Time, string Method, string Path, string Query, string? User, int Status)
{
    public bool IsWatch => Query.Contains("watch=true", StringComparison.Ordinal) || Query.Contains("watch=1", StringComparison.Ordinal);
}
