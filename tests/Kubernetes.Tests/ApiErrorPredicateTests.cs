using System.Net;
using System.Reflection;
using k8s.Autorest;

namespace Admission.Kubernetes.Tests;

/// <summary>
/// Each predicate over answers kube-apiserver sends (metav1.Status bodies as it writes them, and
/// one that is not a Status): every row names exactly the predicates that hold, so a predicate
/// that answers wrongly fails every row it should (or should not) match.
/// </summary>
public sealed class ApiErrorPredicateTests
{
    /// <summary>
    /// Every Is… property of the exception, by its name without "Is": a predicate added later joins
    /// every row at once, and fails each row until the row says whether it holds.
    /// </summary>
    private static readonly Dictionary<string, Func<KubernetesApiException, bool>> Predicates =
        typeof(KubernetesApiException).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType == typeof(bool) && p.Name.StartsWith("Is", StringComparison.Ordinal))
            .ToDictionary(p => p.Name[2..], p => (Func<KubernetesApiException, bool>)(e => (bool)p.GetValue(e)!), StringComparer.Ordinal);

    /// <summary>name, HTTP status, Retry-After header, body, the predicates that hold (comma-separated).</summary>
    public static TheoryData<string, int, string?, string, string> Answers => new()
    {
        {
            "a ChangeApproval that does not exist", 404, null,
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"changeapprovals.approvals.admission.dev \"cart\" not found","reason":"NotFound","details":{"name":"cart","group":"approvals.admission.dev","kind":"changeapprovals"},"code":404}""",
            "NotFound"
        },
        {
            "a resource type the server does not serve (its not-found handler: empty details)", 404, null,
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}""",
            "NotFound,TypeNotServed"
        },
        {
            "a path outside the API (plain text, no Status)", 404, null,
            "404 page not found\n",
            "NotFound,TypeNotServed"
        },
        {
            "a stale resourceVersion", 409, null,
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on changeapprovals.approvals.admission.dev \"cart\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"cart","group":"approvals.admission.dev","kind":"changeapprovals"},"code":409}""",
            "Conflict"
        },
        {
            "a create of a name that is taken", 409, null,
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"changeapprovals.approvals.admission.dev \"cart\" already exists","reason":"AlreadyExists","details":{"name":"cart","group":"approvals.admission.dev","kind":"changeapprovals"},"code":409}""",
            "Conflict,AlreadyExists"
        },
        {
            "RBAC refuses", 403, null,
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"changeapprovals.approvals.admission.dev \"cart\" is forbidden: User \"dev\" cannot update resource \"changeapprovals\" in API group \"approvals.admission.dev\" in the namespace \"shop\"","reason":"Forbidden","details":{"name":"cart","group":"approvals.admission.dev","kind":"changeapprovals"},"code":403}""",
            "Forbidden"
        },
        {
            "a watch from a resourceVersion compacted away", 410, null,
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1200 (4500)","reason":"Expired","code":410}""",
            "Gone"
        },
        {
            "the CRD schema and its CEL rules refuse", 422, null,
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"ChangeApproval.approvals.admission.dev \"cart\" is invalid: [spec.ttl: Invalid value: \"9d\": spec.ttl in body should match '^[0-9]+(s|m|h)$', spec.approvals: Invalid value: \"array\": an approver may approve only once]","reason":"Invalid","details":{"name":"cart","group":"approvals.admission.dev","kind":"ChangeApproval","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: \"9d\": spec.ttl in body should match '^[0-9]+(s|m|h)$'","field":"spec.ttl"},{"reason":"FieldValueInvalid","message":"Invalid value: \"array\": an approver may approve only once","field":"spec.approvals"}]},"code":422}""",
            "Invalid"
        },
        {
            "API Priority and Fairness sheds load", 429, "3",
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Too many requests, please try again later.","reason":"TooManyRequests","details":{"retryAfterSeconds":3},"code":429}""",
            "TooManyRequests"
        },
        {
            "a list the server could not finish in time", 500, null,
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"The list operation against changeapprovals could not be completed at this time, please try again.","reason":"ServerTimeout","details":{"name":"list","kind":"changeapprovals","retryAfterSeconds":2},"code":500}""",
            "ServerTimeout,ServerError"
        },
        {
            "a request that timed out", 504, null,
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Timeout: request did not complete within requested timeout - context deadline exceeded","reason":"Timeout","details":{},"code":504}""",
            "ServerTimeout,ServerError"
        },
        {
            "credentials not accepted", 401, null,
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""",
            "Unauthorized"
        },
        {
            "a SelfSubjectReview on a server that predates it", 405, null,
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server does not allow this method on the requested resource","reason":"MethodNotAllowed","details":{},"code":405}""",
            "MethodNotAllowed"
        },
        {
            "a malformed body", 400, null,
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the object provided is unrecognized (must be of type ChangeApproval): couldn't get version/kind; json parse error: unexpected end of JSON input","reason":"BadRequest","code":400}""",
            "BadRequest"
        },
        {
            "a proxy in front of the server answers with HTML", 502, null,
            "<html><body>502 Bad Gateway</body></html>",
            "ServerError"
        },
        {
            "an internal error", 500, null,
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Internal error occurred: failed calling webhook \"validate.admission.dev\": connection refused","reason":"InternalError","details":{"causes":[{"message":"failed calling webhook \"validate.admission.dev\": connection refused"}]},"code":500}""",
            "ServerError"
        },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void Exactly_the_predicates_of_the_answer_hold(string name, int status, string? retryAfter, string body, string expected)
    {
        var e = ApiError.From(Failure(status, body, retryAfter));
        var holding = Predicates.Where(p => p.Value(e)).Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();
        var want = expected.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();
        Assert.True(want.SequenceEqual(holding), $"{name}: expected [{string.Join(", ", want)}], got [{string.Join(", ", holding)}]");
        Assert.Equal(status, e.StatusCode);
    }

    [Fact]
    public void A_status_body_gives_reason_name_and_causes()
    {
        var invalid = ApiError.From(Failure(422, Row("the CRD schema and its CEL rules refuse"), null));
        Assert.Equal(("Invalid", "cart"), (invalid.Reason, invalid.DetailsName));
        Assert.Equal([("FieldValueInvalid", "spec.ttl"), ("FieldValueInvalid", "spec.approvals")], invalid.Causes.Select(c => (c.Reason, c.Field)));
        Assert.EndsWith("an approver may approve only once", invalid.Causes[1].Message, StringComparison.Ordinal);
        Assert.StartsWith("ChangeApproval.approvals.admission.dev \"cart\" is invalid", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_that_is_not_a_Status_is_the_message_and_the_status_names_the_reason()
    {
        var e = ApiError.From(Failure(502, "<html><body>502 Bad Gateway</body></html>", null));
        Assert.Equal(("BadGateway", "<html><body>502 Bad Gateway</body></html>", (string?)null), (e.Reason, e.Message, e.DetailsName));
        var empty = ApiError.From(Failure(503, "", null));
        Assert.Equal(("ServiceUnavailable", "Service Unavailable"), (empty.Reason, empty.Message));
    }

    public static TheoryData<string, int, string?, string, double?> RetryAfters => new()
    {
        { "the header", 429, "3", """{"kind":"Status","status":"Failure","reason":"TooManyRequests","code":429}""", 3 },
        { "the header wins over details", 429, "5", """{"kind":"Status","status":"Failure","reason":"TooManyRequests","details":{"retryAfterSeconds":1},"code":429}""", 5 },
        { "details.retryAfterSeconds without a header", 500, null, """{"kind":"Status","status":"Failure","reason":"ServerTimeout","details":{"retryAfterSeconds":2},"code":500}""", 2 },
        { "an HTTP date is not read (kube-apiserver sends seconds)", 503, "Wed, 21 Oct 2015 07:28:00 GMT", "", null },
        { "neither", 500, null, """{"kind":"Status","status":"Failure","reason":"InternalError","code":500}""", null },
    };

    [Theory]
    [MemberData(nameof(RetryAfters))]
    public void Retry_after_comes_from_the_header_else_the_status(string name, int status, string? header, string body, double? seconds)
    {
        var e = ApiError.From(Failure(status, body, header));
        Assert.True((seconds is { } s ? TimeSpan.FromSeconds(s) : (TimeSpan?)null) == e.RetryAfter, $"{name}: {e.RetryAfter}");
    }

    [Fact]
    public void An_object_not_found_is_told_from_another_object_and_from_a_missing_type()
    {
        var missing = ApiError.From(Failure(404, Row("a ChangeApproval that does not exist"), null));
        Assert.True(missing.IsNotFoundObject("cart"));
        Assert.False(missing.IsNotFoundObject("checkout"));
        var unserved = ApiError.From(Failure(404, Row("a resource type the server does not serve (its not-found handler: empty details)"), null));
        Assert.False(unserved.IsNotFoundObject("cart"));
    }

    [Fact]
    public void Only_API_errors_convert()
    {
        Assert.False(ApiError.TryFrom(new HttpRequestException("connection refused"), out _));
        Assert.False(ApiError.TryFrom(null, out _));
        var typed = new KubernetesApiException(409, "Conflict", "stale");
        Assert.True(ApiError.TryFrom(typed, out var same) && ReferenceEquals(typed, same));
        var http = Failure(410, Row("a watch from a resourceVersion compacted away"), null);
        Assert.True(ApiError.TryFrom(http, out var gone) && gone.IsGone);
        Assert.Same(ApiError.From(http), gone);
        var bare = ApiError.From(new HttpOperationException("no response"));
        Assert.Equal((0, "no response"), (bare.StatusCode, bare.Message));
    }

    private static string Row(string name) =>
        (string)Answers.Single(r => (string)r[0] == name)[3];

    internal static HttpOperationException Failure(int status, string body, string? retryAfter)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body) };
        if (retryAfter is not null) response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        return new HttpOperationException($"Operation returned an invalid status code '{(HttpStatusCode)status}'")
        {
            Response = new HttpResponseMessageWrapper(response, body),
        };
    }
}
