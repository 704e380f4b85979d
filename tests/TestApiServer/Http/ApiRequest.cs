namespace Admission.TestApiServer.Http;

/// <summary>One authenticated API request and what the handlers collect while serving it.</summary>
internal sealed class ApiRequest(HttpContext http, UserInfo user, List<string> warnings)
{
    public HttpContext Http { get; } = http;

    public UserInfo User { get; } = user;

    /// <summary>Sent back as Warning headers whatever the outcome, as kube-apiserver does.</summary>
    public List<string> Warnings { get; } = warnings;

    public CancellationToken Aborted => Http.RequestAborted;

    public string? Query(string name)
    {
        var values = Http.Request.Query[name];
        return values.Count == 0 ? null : values[0];
    }

    public bool DryRun => Http.Request.Query["dryRun"].Contains("All");

    public string? ContentType => Http.Request.ContentType;
}
