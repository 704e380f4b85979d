namespace Admission.Operator.Tests.Webhook;

/// <summary>Contract section 7: what /validate answers to requests it cannot decide.</summary>
[Collection(SharedWebhook.Name)]
public sealed class ErrorStatusTests(LocalWebhookFixture webhook)
{
    private static string WithoutUid()
    {
        var r = Review.Example("deployment-create");
        r.Request.Remove("uid");
        return r.ToJson();
    }

    private static string V1Beta1()
    {
        var r = Review.Example("deployment-create");
        r.Root["apiVersion"] = "admission.k8s.io/v1beta1";
        return r.ToJson();
    }

    public static TheoryData<string, string, string, int, string> BadBodies => new()
    {
        // case, body, content type, status, the message must name
        { "not JSON", "kind: AdmissionReview\n", "application/json", 400, "not a valid AdmissionReview" },
        { "truncated JSON", Review.Example("deployment-create").ToJson()[..200], "application/json", 400, "not a valid AdmissionReview" },
        { "JSON null", "null", "application/json", 400, "not an AdmissionReview" },
        { "a JSON array", "[]", "application/json", 400, "not a valid AdmissionReview" },
        { "JSON, but a ConfigMap", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}""", "application/json", 400, "kind must be AdmissionReview, not \"ConfigMap\"" },
        { "an AdmissionReview v1beta1", V1Beta1(), "application/json", 400, "admission.k8s.io/v1beta1" },
        { "an AdmissionReview without request", """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""", "application/json", 400, "request is missing" },
        { "an AdmissionReview without request.uid", WithoutUid(), "application/json", 400, "request.uid is missing" },
        { "text/plain", Review.Example("deployment-create").ToJson(), "text/plain", 415, "content type \"text/plain\" is not supported" },
        { "application/yaml", Review.Example("deployment-create").ToJson(), "application/yaml", 415, "application/yaml" },
        { "form data", "a=b", "application/x-www-form-urlencoded", 415, "application/x-www-form-urlencoded" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_body_that_cannot_be_decided_is_refused_with_a_message_naming_the_problem(string @case, string body, string contentType, int status, string named)
    {
        var (code, text, response) = await webhook.Client.SendRawAsync(HttpMethod.Post, WebhookCalls.Bytes(Encoding.UTF8.GetBytes(body), contentType));
        response.Dispose();
        Assert.True((int)code == status, $"{@case}: expected {status}, got {(int)code}: {text}");
        Assert.Contains(named, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_without_a_content_type_is_415()
    {
        var (code, text, response) = await webhook.Client.SendRawAsync(HttpMethod.Post, WebhookCalls.Bytes(Encoding.UTF8.GetBytes(Review.Example("deployment-create").ToJson()), null));
        response.Dispose();
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, code);
        Assert.Contains("send application/json", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_with_a_charset_parameter_is_accepted()
    {
        var review = Review.Example("deployment-create");
        var (code, text, response) = await webhook.Client.SendRawAsync(HttpMethod.Post, WebhookCalls.Bytes(Encoding.UTF8.GetBytes(review.ToJson()), "application/json; charset=utf-8"));
        response.Dispose();
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Contains(review.Uid, text, StringComparison.Ordinal);
    }

    /// <summary>An UPDATE may carry two 3 MiB objects: a body of almost 8 MiB is decided.</summary>
    [Fact]
    public async Task A_body_under_8_MiB_is_decided()
    {
        var review = Review.Example("deployment-update-denied");
        review.Annotate(review.Object, "example.com/padding", new string('x', 7 * 1024 * 1024));
        var answer = await webhook.Client.ReviewAsync(review);
        Assert.Equal(review.Uid, answer.Uid);
        Assert.True(answer.Allowed);
    }

    /// <summary>
    /// 9 MiB is 413, whether the size is announced (Content-Length) or only found while reading
    /// (chunked). Sent by a client that reads the answer while it is still sending, like kube-apiserver.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_over_8_MiB_is_413(bool chunked)
    {
        var review = Review.Example("deployment-update-denied");
        review.Annotate(review.Object, "example.com/padding", new string('x', 9 * 1024 * 1024));
        var bytes = Encoding.UTF8.GetBytes(review.ToJson());
        Assert.True(bytes.Length > 9 * 1024 * 1024);
        var response = await RawHttps.PostAsync(webhook.Server, "/validate", bytes, "application/json", chunked);
        Assert.True(response.Status == 413, $"expected 413, got {response.Head}\n{response.Body}");
        Assert.Contains("over the limit of 8388608 bytes", response.Body, StringComparison.Ordinal);
        if (!chunked)
        {
            Assert.Contains($"body of {bytes.Length} bytes", response.Body, StringComparison.Ordinal);
        }
        // The server is unharmed.
        Assert.True((await webhook.Client.ReviewAsync(Review.Example("deployment-create"))).Allowed);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task Another_method_is_405(string method)
    {
        var content = method is "GET" or "DELETE" ? null : WebhookCalls.Json(Review.Example("deployment-create").ToJson());
        var (code, text, response) = await webhook.Client.SendRawAsync(new HttpMethod(method), content);
        using (response)
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, code);
            Assert.Contains($"method {method} is not allowed", text, StringComparison.Ordinal);
            Assert.Contains("POST", response.Content.Headers.Allow);
        }
    }

    [Fact]
    public async Task Bad_requests_leave_later_decisions_unchanged()
    {
        var approved = Review.Example("deployment-update-denied");
        var denied = Review.Example("deployment-create").Named("ledger");
        var before = (await webhook.Client.ReviewAsync(approved.Clone()), await webhook.Client.ReviewAsync(denied.Clone()));
        var readyBefore = await webhook.Client.GetTextAsync("readyz");

        // Bad requests of every kind, including ones that look like real reviews up to a point:
        // a review whose object is not an object, one for an unknown operation, and one that
        // tries to slip a ChangeApproval in through the body of a workload request.
        var sneaky = Review.Example("deployment-create").Named("ledger");
        sneaky.Request["object"] = new JsonObject { ["kind"] = "ChangeApproval", ["spec"] = new JsonObject { ["approvals"] = Review.Entries(("alice", DateTimeOffset.UtcNow), ("bob", DateTimeOffset.UtcNow)) } };
        var bad = new (string Body, string Type)[]
        {
            ("{", "application/json"),
            ("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","operation":"PATCH","resource":{"group":"apps","version":"v1","resource":"deployments"}}}""", "application/json"),
            ("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"y","operation":"CREATE","kind":{"group":"apps","version":"v1","kind":"Deployment"},"resource":{"group":"apps","version":"v1","resource":"deployments"},"namespace":"payments","name":"ledger","object":42}}""", "application/json"),
            (sneaky.ToJson(), "application/json"),
            (V1Beta1(), "application/json"),
            ("plain", "text/plain"),
        };
        foreach (var (body, type) in bad)
        {
            var (code, text, response) = await webhook.Client.SendRawAsync(HttpMethod.Post, WebhookCalls.Bytes(Encoding.UTF8.GetBytes(body), type));
            response.Dispose();
            // Refused, or answered with a denial; never an error inside the server, never allowed.
            Assert.True(code is HttpStatusCode.BadRequest or HttpStatusCode.UnsupportedMediaType ||
                (code == HttpStatusCode.OK && !ReviewAnswer.Parse(code, "application/json", text).Allowed), $"{(int)code}: {text}");
        }

        var after = (await webhook.Client.ReviewAsync(approved.Clone()), await webhook.Client.ReviewAsync(denied.Clone()));
        Assert.True(after.Item1.Allowed);
        Assert.Equal(before.Item1.AuditAnnotations, after.Item1.AuditAnnotations);
        Assert.False(after.Item2.Allowed);
        Assert.Equal(before.Item2.Message, after.Item2.Message);
        Assert.Equal(readyBefore, await webhook.Client.GetTextAsync("readyz"));
    }
}
