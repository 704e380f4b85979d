namespace Admission.Kubernetes.Tests;

/// <summary>The one-line rendering of an API error that logs and command messages use.</summary>
public sealed class SummaryTests
{
    public static TheoryData<string, KubernetesApiException, string> Lines => new()
    {
        { "status, reason and message", new KubernetesApiException(409, "Conflict", "the object has been modified"), "409 Conflict: the object has been modified" },
        { "no reason", new KubernetesApiException(500, "", "boom"), "500: boom" },
        { "no message", new KubernetesApiException(503, "ServiceUnavailable", ""), "503 ServiceUnavailable" },
        { "several lines become one", new KubernetesApiException(502, "BadGateway", "<html>\n<body>bad</body>\r\n</html>\n"), "502 BadGateway: <html> <body>bad</body> </html>" },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void One_line_with_status_reason_and_message(string name, KubernetesApiException e, string expected) =>
        Assert.True(expected == e.Summary, $"{name}: {e.Summary}");

    [Fact]
    public void The_status_line_is_status_and_reason()
    {
        Assert.Equal("404 NotFound", new KubernetesApiException(404, "NotFound", "x").StatusLine);
        Assert.Equal("0", new KubernetesApiException("no answer").StatusLine);
    }

    [Fact]
    public void A_long_message_is_cut()
    {
        var e = new KubernetesApiException(500, "InternalError", new string('x', 1000));
        Assert.Equal("500 InternalError: " + new string('x', KubernetesApiException.SummaryMessageLimit) + "...", e.Summary);
        var exact = new KubernetesApiException(500, "InternalError", new string('y', KubernetesApiException.SummaryMessageLimit));
        Assert.EndsWith("y", exact.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void An_answer_from_the_server_renders_its_Status_message()
    {
        var e = ApiError.From(ApiErrorPredicateTests.Failure(403,
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"validatingwebhookconfigurations.admissionregistration.k8s.io \"admission\" is forbidden: User \"x\" cannot delete resource","reason":"Forbidden","code":403}""", null));
        Assert.Equal("403 Forbidden: validatingwebhookconfigurations.admissionregistration.k8s.io \"admission\" is forbidden: User \"x\" cannot delete resource", e.Summary);
    }
}
