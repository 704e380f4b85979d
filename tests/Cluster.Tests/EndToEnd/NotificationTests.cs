namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>
/// Notifications end to end: the real process against the test API server, receivers on a local
/// HTTPS server with its own CA. Each test waits for the delivery record on the ChangeApproval
/// (written after each send), so "nothing more was sent" is read after the sender is done.
/// </summary>
public sealed class NotificationTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const string Secret = "s3cret-for-hmac";
    private ClusterHarness _cluster = null!;
    private NotificationReceiver _receiver = null!;

    private static readonly Dictionary<string, string> FastRetries = new(StringComparer.Ordinal)
    {
        ["ADMISSION_NOTIFY_BACKOFF_INITIAL"] = "100ms",
        ["ADMISSION_NOTIFY_BACKOFF_MAX"] = "400ms",
        ["ADMISSION_NOTIFY_TIMEOUT"] = "2s",
    };

    public async Task InitializeAsync()
    {
        _cluster = await ClusterHarness.StartAsync();
        _receiver = await NotificationReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private string WriteReceivers(params (string Name, string Type, string[]? Namespaces)[] receivers)
    {
        var list = new JsonArray();
        foreach (var (name, type, namespaces) in receivers)
        {
            var r = new JsonObject { ["name"] = name, ["type"] = type, ["url"] = _receiver.Url(name), ["ca"] = _receiver.CaPem };
            if (type == "webhook") r["secret"] = Secret;
            if (namespaces is not null) r["namespaces"] = new JsonArray([.. namespaces.Select(n => (JsonNode)n)]);
            list.Add(r);
        }
        var path = Path.Combine(_cluster.Dir, "notifications.json");
        File.WriteAllText(path, new JsonObject { ["receivers"] = list }.ToJsonString());
        return path;
    }

    private IReadOnlyList<string> Recorded(string name, string receiver)
    {
        var raw = _cluster.Approval(name)?["metadata"]?["annotations"]?[DeliveryRecord.Key(receiver)]?.ToString();
        return raw is null ? [] : [.. JsonNode.Parse(raw)!.AsArray().Select(n => n!.ToString())];
    }

    private Task WaitRecordedAsync(string name, string receiver, params string[] ids) =>
        Wait.UntilAsync(() => Recorded(name, receiver).SequenceEqual(ids), TimeSpan.FromSeconds(30),
            () => $"{receiver} recorded [{string.Join(", ", Recorded(name, receiver))}], want [{string.Join(", ", ids)}]\n{_cluster.Logs}");

    private static string Delivery(ReceivedPost p) => p.Header(NotificationSender.DeliveryHeader)!;

    [Fact]
    public async Task Request_two_approvals_and_apply_reach_each_receiver_in_order_once_signed()
    {
        var file = WriteReceivers(("audit", "webhook", null), ("chat", "slack", null), ("flaky-hook", "webhook", null), ("elsewhere", "webhook", ["other-team"]));
        var admission = await _cluster.StartAdmissionAsync(environment: FastRetries, extraArgs: ["--notifications", file]);
        await admission.WaitForOutputAsync("notifications started for 4 receivers", TimeSpan.FromSeconds(15));

        Assert.True((await _cluster.CreateApprovalAsync("carol", "rollout")).Ok);
        await WaitRecordedAsync("rollout", "audit", "created");
        Assert.True((await _cluster.ApproveAsync("alice", "rollout")).Ok);
        await WaitRecordedAsync("rollout", "audit", "created", "reviewed:alice");
        Assert.True((await _cluster.ApproveAsync("bob", "rollout")).Ok);
        await _cluster.MarkAppliedAsync("rollout");

        string[] events = ["created", "reviewed:alice", "reviewed:bob", "applied"];
        foreach (var receiver in (string[])["audit", "chat", "flaky-hook"]) await WaitRecordedAsync("rollout", receiver, events);

        var uid = _cluster.Approval("rollout")!["metadata"]!["uid"]!.ToString();
        var audit = _receiver.To("audit");
        Assert.Equal(events.Select(e => $"{uid}/{e}"), audit.Select(Delivery));
        Assert.Equal(["created", "reviewed", "reviewed", "applied"], audit.Select(p => p.Header(NotificationSender.EventHeader)));
        Assert.All(audit, p => Assert.Equal(NotificationSender.Sign(Secret, p.Body), p.Header(NotificationSender.SignatureHeader)));
        var reviewed = JsonNode.Parse(audit[2].Text)!;
        Assert.Equal("bob", reviewed["review"]!["by"]!.ToString());
        Assert.Equal("carol", reviewed["requestedBy"]!.ToString());
        Assert.Equal("checkout", reviewed["target"]!["name"]!.ToString());
        Assert.Equal("kubectl change approve rollout -n payments", reviewed["commands"]!["approve"]!.ToString());

        var chat = _receiver.To("chat");
        Assert.Equal(4, chat.Count);
        var created = JsonNode.Parse(chat[0].Text)!["text"]!.ToString();
        Assert.Contains("Deployment payments/checkout: change requested", created, StringComparison.Ordinal);
        Assert.Contains("Requested by carol: Roll out 2.4.1, fixes INC-4411", created, StringComparison.Ordinal);
        Assert.Contains("`kubectl change show rollout -n payments`", created, StringComparison.Ordinal);
        Assert.Contains("`kubectl change approve rollout -n payments`", created, StringComparison.Ordinal);
        Assert.Contains("alice approved", JsonNode.Parse(chat[1].Text)!["text"]!.ToString(), StringComparison.Ordinal);
        Assert.Null(chat[0].Header(NotificationSender.SignatureHeader));

        // 500 three times, then taken on the fourth try: four tries per event, the last one 200.
        var flaky = _receiver.To("flaky-hook");
        foreach (var e in events)
        {
            var tries = flaky.Where(p => Delivery(p) == $"{uid}/{e}").Select(p => p.Answered).ToList();
            Assert.Equal([500, 500, 500, 200], tries);
        }

        Assert.Empty(_receiver.To("elsewhere"));
        Assert.Empty(Recorded("rollout", "elsewhere"));
        Assert.Equal(4, await admission.MetricAsync("admission_notifications_sent_total{receiver=\"audit\"}"));
        Assert.Equal(12, await admission.MetricAsync("admission_notification_attempts_failed_total{receiver=\"flaky-hook\"}"));
    }

    [Fact]
    public async Task A_leader_change_in_the_middle_sends_nothing_twice()
    {
        var file = WriteReceivers(("audit", "webhook", null));
        var a = await _cluster.StartAdmissionAsync("admission-a", environment: FastRetries, extraArgs: ["--notifications", file]);
        var b = await _cluster.StartAdmissionAsync("admission-b", environment: FastRetries, extraArgs: ["--notifications", file]);
        await Wait.UntilAsync(() => a.Count("now leads") + b.Count("now leads") == 1, TimeSpan.FromSeconds(15), () => _cluster.Logs);
        var (leader, follower) = a.Count("now leads") == 1 ? (a, b) : (b, a);

        Assert.True((await _cluster.CreateApprovalAsync("carol", "handover")).Ok);
        Assert.True((await _cluster.ApproveAsync("alice", "handover")).Ok);
        await WaitRecordedAsync("handover", "audit", "created", "reviewed:alice");

        await leader.StopAsync();
        await follower.WaitForOutputAsync("notifications started", TimeSpan.FromSeconds(10));
        _cluster.RegisterWebhook(follower.Port, await follower.CaPemAsync());
        Assert.True((await _cluster.ApproveAsync("bob", "handover")).Ok);
        await _cluster.MarkAppliedAsync("handover");
        await WaitRecordedAsync("handover", "audit", "created", "reviewed:alice", "reviewed:bob", "applied");

        var deliveries = _receiver.To("audit").Select(Delivery).ToList();
        Assert.Equal(4, deliveries.Count);
        Assert.Equal(4, deliveries.Distinct().Count());
        Assert.Equal(0, await follower.MetricAsync("admission_notification_attempts_failed_total{receiver=\"audit\"}"));
    }

    [Fact]
    public async Task A_receiver_that_never_answers_does_not_slow_admissions()
    {
        // Two replicas side by side, asked in turn so machine load falls on both alike: one leads and
        // notifies a receiver that never answers (its queue stays stuck), the other has no receivers.
        var file = WriteReceivers(("dead-hook", "webhook", null));
        var notifying = await _cluster.StartAdmissionAsync("admission-a", environment: FastRetries, extraArgs: ["--notifications", file]);
        await notifying.WaitForOutputAsync("notifications started", TimeSpan.FromSeconds(15));
        var plain = await _cluster.StartAdmissionAsync("admission-b", extraArgs: ["--no-leader-election"]);
        for (var i = 0; i < 5; i++) Assert.True((await _cluster.CreateApprovalAsync("carol", $"stuck-{i}")).Ok);
        await Wait.UntilAsync(() => _receiver.To("dead-hook").Count >= 1, TimeSpan.FromSeconds(15), () => _cluster.Logs);

        var review = Reviews.DeploymentImageUpdate("carol");
        for (var i = 0; i < 20; i++)
        {
            await Reviews.DecideAsync(notifying, review);
            await Reviews.DecideAsync(plain, review);
        }
        var withDead = new List<double>();
        var without = new List<double>();
        for (var i = 0; i < 150; i++)
        {
            withDead.Add(await TimeAsync(notifying, review));
            without.Add(await TimeAsync(plain, review));
        }
        Assert.True(_receiver.To("dead-hook").Count >= 1 && Recorded("stuck-0", "dead-hook").Count == 0, "the dead receiver must still be holding its first delivery");
        var ratio = Median(withDead) / Median(without);
        output.WriteLine($"median decision time: {Median(withDead):0.000} ms with a dead receiver, {Median(without):0.000} ms without; ratio {ratio:0.00} (150 interleaved reviews each)");
        Assert.True(ratio < 1.5, $"median decision time with a dead receiver {Median(withDead):0.00} ms, without {Median(without):0.00} ms (ratio {ratio:0.00})");
    }

    private static async Task<double> TimeAsync(AdmissionProcess process, string review)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await Reviews.DecideAsync(process, review);
        return System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
