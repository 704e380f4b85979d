namespace Admission.TestApiServer.Tests.Cel;

/// <summary>The structural schema, checked before the CEL rules, with kube-apiserver's field errors.</summary>
public sealed class SchemaValidationTests : PaymentsTest
{
    private const string Approvals = "/apis/approvals.admission.dev/v1alpha1/namespaces/payments/changeapprovals";

    /// <summary>name, change to a valid new request, expected cause (field: body), expected cause reason.</summary>
    public static TheoryData<string, Action<JsonObject>, string, string> Violations() => new()
    {
        { "required", o => o["spec"]!.AsObject().Remove("reason"), "spec.reason: Required value", "FieldValueRequired" },
        { "type", o => o["spec"]!["reason"] = 5, "spec.reason: Invalid value: 5: spec.reason in body must be of type string: \"integer\"", "FieldValueTypeInvalid" },
        { "enum", o => o["spec"]!["operations"] = new JsonArray("PATCH"), "spec.operations[0]: Unsupported value: \"PATCH\": supported values: \"CREATE\", \"UPDATE\", \"DELETE\"", "FieldValueNotSupported" },
        { "pattern", o => o["spec"]!["target"]!["kind"] = "deployment", "spec.target.kind: Invalid value: \"deployment\": spec.target.kind in body should match '^[A-Z][A-Za-z0-9]*$'", "FieldValueInvalid" },
        { "date-time", o => o["spec"]!["expiresAt"] = "tomorrow", "spec.expiresAt: Invalid value: \"tomorrow\": spec.expiresAt in body must be of type date-time: \"tomorrow\"", "FieldValueInvalid" },
        { "minLength", o => o["spec"]!["reason"] = "", "spec.reason: Invalid value: \"\": spec.reason in body should be at least 1 chars long", "FieldValueInvalid" },
        { "maxLength", o => o["spec"]!["ticket"] = new string('x', 129), "spec.ticket: Too long: may not be longer than 128", "FieldValueTooLong" },
        { "minItems", o => o["spec"]!["operations"] = new JsonArray(), "spec.operations: Invalid value: 0: spec.operations in body should have at least 1 items", "FieldValueInvalid" },
        { "maxItems", o => o["spec"]!["images"] = new JsonArray([.. Enumerable.Range(0, 65).Select(i => (JsonNode)$"img:{i}")]), "spec.images: Too many: 65: must have at most 64 items", "FieldValueTooMany" },
        { "set", o => o["spec"]!["operations"] = new JsonArray("CREATE", "CREATE"), "spec.operations[1]: Duplicate value: \"CREATE\"", "FieldValueDuplicate" },
        { "map keys", o => o["status"] = new JsonObject { ["conditions"] = new JsonArray(Condition(), Condition()) }, "status.conditions[1]: Duplicate value: {\"type\":\"Approved\"}", "FieldValueDuplicate" },
        { "minimum", o => o["status"] = new JsonObject { ["observedGeneration"] = -1 }, "status.observedGeneration: Invalid value: -1: status.observedGeneration in body should be greater than or equal to 0", "FieldValueInvalid" },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public void A_schema_violation_is_refused_with_its_field_error(string name, Action<JsonObject> change, string expected, string reason)
    {
        var status = Refusal(With(Request(), change), null);

        Assert.True(status is not null, name);
        var causes = status["details"]!["causes"]!.AsArray();
        Assert.Contains(causes, c => $"{c!["field"]}: {c["message"]}" == expected && (string?)c["reason"] == reason);
    }

    [Fact]
    public void A_blocking_schema_error_keeps_the_rules_from_running()
    {
        // A wrong type stops CEL, as apiextensions' hasBlockingErr does: no rule message appears.
        var status = Refusal(With(Request(), o => { o["spec"]!["reason"] = 5; o["spec"]!["expiresAt"] = "2029-01-01T00:00:00Z"; }), null)!;

        Assert.Equal("ChangeApproval.approvals.admission.dev \"web-1\" is invalid: [spec.reason: Invalid value: 5: spec.reason in body must be of type string: \"integer\", " +
            "<nil>: Invalid value: \"null\": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]",
            (string?)status["message"]);
    }

    [Fact]
    public async Task Writes_over_http_get_the_422_before_any_webhook_is_called()
    {
        await using var webhook = await TestWebhook.StartAsync();
        _server.Seed(Webhooks.Configuration("approvals.admission.dev", Webhooks.Url(webhook), ["changeapprovals"]));
        var body = Request(("alice", "Approve"));

        var (code, status, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, Approvals, body);

        Assert.Equal(422, code);
        Assert.Equal("ChangeApproval.approvals.admission.dev \"web-1\" is invalid: spec.approvals: Invalid value: \"array\": spec.approvals must be empty when a ChangeApproval is created; approvers add their entries afterwards",
            (string?)status!["message"]);
        Assert.Empty(webhook.Requests);
    }

    [Fact]
    public async Task Unknown_fields_are_pruned_with_a_warning_or_refused_when_strict()
    {
        var body = With(Request(), o => o["spec"]!["colour"] = "blue");

        var (strictCode, strict, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, Approvals + "?fieldValidation=Strict", body);
        var (code, created, response) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, Approvals, body);

        Assert.Equal(400, strictCode);
        Assert.Equal("strict decoding error: unknown field \"spec.colour\"", (string?)strict!["message"]);
        Assert.Equal(201, code);
        Assert.Null(created!["spec"]!["colour"]);
        Assert.Contains("299 - \"unknown field \\\"spec.colour\\\"\"", response.Headers.GetValues("Warning"));
    }

    [Fact]
    public async Task Defaults_are_applied_when_an_object_is_read()
    {
        // Stored before approvals had a default: reads show [] as kube-apiserver's decoder does.
        var stored = With(Request(), o => o["spec"]!.AsObject().Remove("approvals"));
        _server.Seed(stored);

        var (_, read, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Get, $"{Approvals}/web-1");

        Assert.Equal("[]", read!["spec"]!["approvals"]!.ToJsonString());
    }

    private static JsonObject Condition() => new()
    {
        ["type"] = "Approved", ["status"] = "True", ["lastTransitionTime"] = "2030-01-01T00:00:00Z", ["reason"] = "Enough", ["message"] = "",
    };
}
