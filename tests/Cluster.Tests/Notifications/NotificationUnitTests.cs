namespace Admission.Cluster.Tests.Notifications;

public sealed class NotificationConfigTests
{
    private const string Good = """
        receivers:
        - name: slack-payments
          type: slack
          url: https://hooks.slack.example/services/T0/B0/x
          namespaces: [payments]
          selector: {matchLabels: {team: payments}}
        - name: audit
          type: webhook
          url: https://audit.example.com/hook
          secret: s3cret
        """;

    [Fact]
    public void A_good_file_reads_with_routes()
    {
        var config = NotificationConfigReader.Parse(Good, "notifications.yaml");
        Assert.Equal(["slack-payments", "audit"], config.Receivers.Select(r => r.Name));
        var slack = config.Receivers[0];
        Assert.Equal(ReceiverType.Slack, slack.Type);
        Assert.True(slack.Routes("payments", new Dictionary<string, string> { ["team"] = "payments" }));
        Assert.False(slack.Routes("payments", new Dictionary<string, string>()));
        Assert.False(slack.Routes("ledger", new Dictionary<string, string> { ["team"] = "payments" }));
        Assert.True(config.Receivers[1].Routes("anything", new Dictionary<string, string>()));
        Assert.Equal("s3cret", config.Receivers[1].Secret);
    }

    /// <summary>A file of one receiver with <paramref name="fields"/> (YAML flow style).</summary>
    private static string OneReceiver(string fields) => "receivers:\n- {" + fields + "}";

    public static TheoryData<string, string, string> Bad => new()
    {
        { OneReceiver("type: webhook, url: https://a.example"), "receivers[0].name", "required" },
        { OneReceiver("name: Bad_Name, type: webhook, url: https://a.example"), "receivers[0].name", "DNS label" },
        { OneReceiver("name: a, type: email, url: https://a.example"), "receivers[0].type", "must be webhook or slack" },
        { OneReceiver("name: a, type: webhook, url: ftp://a.example"), "receivers[0].url", "http(s) URL" },
        { OneReceiver("name: a, type: webhook"), "receivers[0].url", "http(s) URL" },
        { OneReceiver("name: a, type: slack, url: https://a.example, secret: x"), "receivers[0].secret", "only webhook receivers" },
        { OneReceiver("name: a, type: webhook, url: https://a.example, ca: nope"), "receivers[0].ca", "PEM" },
        { OneReceiver("name: a, type: webhook, url: https://a.example, namespace: [x]"), "receivers[0].namespace", "unknown field" },
        { OneReceiver("name: a, type: webhook, url: https://a.example, selector: {matchExpressions: []}"), "receivers[0].selector.matchExpressions", "only matchLabels" },
        { "receivers:\n- {name: a, type: webhook, url: https://a.example}\n- {name: a, type: slack, url: https://b.example}", "receivers", "more than once" },
        { "receiver: []", "receiver", "unknown field" },
        { "receivers: {a: 1}", "receivers", "must be a list" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void A_bad_file_is_refused_naming_the_field(string yaml, string field, string message)
    {
        var e = Assert.Throws<InputException>(() => NotificationConfigReader.Parse(yaml, "n.yaml"));
        Assert.Contains(e.Errors, x => x.Source == "n.yaml" && x.Field == field && x.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Not_yaml_is_refused_with_its_line()
    {
        var e = Assert.Throws<InputException>(() => NotificationConfigReader.Parse("receivers:\n  - [unclosed\n", "n.yaml"));
        Assert.Contains(e.Errors, x => x.Source == "n.yaml" && x.Line is not null);
    }
}

public sealed class NotificationEventTests
{
    private static JsonObject Approval(string[]? approvers = null, JsonObject? status = null, bool retrospective = false, string? reject = null)
    {
        var node = Objects.ApprovalNode(approvers: approvers);
        if (reject is not null)
        {
            node["spec"]!["approvals"]!.AsArray().Add(new JsonObject { ["approver"] = reject, ["approvedAt"] = "2026-03-06T10:00:00Z", ["decision"] = "Reject", ["comment"] = "no" });
        }
        if (status is not null) node["status"] = status;
        if (retrospective) node["metadata"]!["labels"] = new JsonObject { [ApprovalCensus.RetrospectiveLabel] = "true" };
        return node;
    }

    private static JsonObject Condition(string type, string status) => new() { ["type"] = type, ["status"] = status };

    public static TheoryData<string, JsonObject, string[], string[]> Rows => new()
    {
        { "new", Approval(), [], ["created"] },
        { "two reviews", Approval(["alice", "bob"]), [], ["created", "reviewed:alice", "reviewed:bob"] },
        { "a rejection", Approval(["alice"], reject: "dave"), [], ["created", "reviewed:alice", "rejected:dave"] },
        { "Applied phase", Approval(["alice", "bob"], new JsonObject { ["phase"] = "Applied" }), [], ["created", "reviewed:alice", "reviewed:bob", "applied"] },
        { "appliedAt", Approval(status: new JsonObject { ["phase"] = "Approved", ["appliedAt"] = "2026-03-06T10:00:00Z" }), [], ["created", "applied"] },
        { "Applied condition", Approval(status: new JsonObject { ["conditions"] = new JsonArray(Condition("Approved", "True"), Condition("Applied", "True")) }), [], ["created", "applied"] },
        { "Applied condition False", Approval(status: new JsonObject { ["conditions"] = new JsonArray(Condition("Applied", "False")) }), [], ["created"] },
        { "applied seen before", Approval(status: new JsonObject { ["phase"] = "Approved" }), ["applied"], ["created", "applied"] },
        { "expired unused", Approval(status: new JsonObject { ["phase"] = "Expired" }), [], ["created", "expired-unused"] },
        { "expired after being applied", Approval(status: new JsonObject { ["phase"] = "Expired" }), ["applied"], ["created", "applied"] },
        { "retrospective", Approval(retrospective: true), [], ["break-glass-used"] },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Events_are_read_in_order_from_the_stored_object(string what, JsonObject approval, string[] seen, string[] expected)
    {
        var events = NotificationEvents.Of(Objects.Element(approval), seen);
        Assert.True(expected.SequenceEqual(events.Select(e => e.Id)), $"{what}: got {string.Join(", ", events.Select(e => e.Id))}");
    }

    [Fact]
    public void The_signature_is_hmac_sha256_of_the_body_in_hex()
    {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        Assert.Equal("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            NotificationSender.Sign("Jefe", System.Text.Encoding.UTF8.GetBytes("what do ya want for nothing?")));
    }

    public static TheoryData<int, double, double, double> Delays => new()
    {
        // attempt, random, then the delay in ms: half fixed, half random, doubling, capped at 60 s.
        { 1, 0.0, 500, 500 },
        { 1, 1.0, 1000, 1000 },
        { 2, 0.5, 1500, 1500 },
        { 4, 0.0, 4000, 4000 },
        { 10, 0.0, 30000, 30000 },
        { 10, 0.999, 59970, 59971 },
    };

    [Theory]
    [MemberData(nameof(Delays))]
    public void Retries_back_off_with_jitter_and_a_cap(int attempt, double random, double atLeast, double atMost)
    {
        var delay = new NotificationTimings().Delay(attempt, random).TotalMilliseconds;
        Assert.InRange(delay, atLeast, atMost);
    }
}
