using System.Net.Http;

namespace Admission.TestApiServer.Tests;

/// <summary>Injected faults answer matching requests as kube-apiserver would word the error, and only those.</summary>
public sealed class FaultInjectionTests : IAsyncLifetime
{
    private TestApiServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await Servers.StartAsync();
        await _server.SendAsync(Servers.Admin, HttpMethod.Post, "/api/v1/namespaces", Servers.Namespace("payments"));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, int, int?, string> Faults => new()
    {
        { "500", 500, null, "InternalError" },
        { "503", 503, null, "ServiceUnavailable" },
        { "503 with Retry-After", 503, 7, "ServiceUnavailable" },
        { "429", 429, 3, "TooManyRequests" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_fault_answers_the_matching_requests_with_a_Status_and_Retry_After(string name, int code, int? retryAfter, string reason)
    {
        _server.Faults.Add(t => t.Resource == "changeapprovals" && t.Verb == "list",
            new Fault(code, retryAfter is { } s ? TimeSpan.FromSeconds(s) : null));
        const string list = "/apis/approvals.admission.dev/v1alpha1/namespaces/payments/changeapprovals";

        var (status, body, response) = await _server.SendAsync(Servers.Alice, HttpMethod.Get, list);
        Assert.True(status == code, $"{name}: answered {status}");
        Assert.Equal("Status", (string?)body!["kind"]);
        Assert.Equal(reason, (string?)body["reason"]);
        Assert.Equal(code, (int?)body["code"]);
        Assert.Equal(retryAfter?.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(retryAfter, (int?)body["details"]?["retryAfterSeconds"]);

        // Other verbs and resources are served as before; after Clear, so is this one.
        var (other, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Get, "/api/v1/namespaces/payments");
        Assert.Equal(200, other);
        var (create, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, list, Servers.ChangeApproval("payments", "a"));
        Assert.Equal(201, create);
        Assert.Equal(1, _server.Faults.Injected);
        _server.Faults.Clear();
        var (after, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Get, list);
        Assert.Equal(200, after);
    }

    [Fact]
    public async Task A_rule_can_match_a_subresource_alone()
    {
        const string approvals = "/apis/approvals.admission.dev/v1alpha1/namespaces/payments/changeapprovals";
        await _server.SendAsync(Servers.Alice, HttpMethod.Post, approvals, Servers.ChangeApproval("payments", "a"));
        _server.Faults.Add(t => t.Subresource == "status", Fault.InternalError);

        var (read, body, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Get, approvals + "/a");
        Assert.Equal(200, read);
        body!["status"] = new System.Text.Json.Nodes.JsonObject { ["phase"] = "Pending" };
        var (status, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Put, approvals + "/a/status", body);
        Assert.Equal(500, status);
    }
}
