namespace Admission.Operator.Tests.Webhook;

[Collection(SharedWebhook.Name)]
public sealed class HealthAndMetricsTests(LocalWebhookFixture webhook)
{
    [Fact]
    public async Task Healthz_is_200()
    {
        using var response = await webhook.Client.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", (await response.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task Readyz_is_200_with_what_is_loaded()
    {
        using var response = await webhook.Client.GetAsync("readyz");
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("ok\n", text, StringComparison.Ordinal);
        Assert.Contains("certificates: loaded, expire ", text, StringComparison.Ordinal);
        Assert.Contains("approvals: 4 ChangeApprovals and 1 Namespaces from 2 files", text, StringComparison.Ordinal);
        Assert.DoesNotContain("broken", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_count_decisions_by_result_and_decision()
    {
        var before = await Metrics();
        var approved = Review.Example("deployment-create");
        var denied = Review.Example("deployment-create").Named("ledger");
        Assert.True((await webhook.Client.ReviewAsync(approved)).Allowed);
        Assert.False((await webhook.Client.ReviewAsync(denied)).Allowed);
        Assert.False((await webhook.Client.ReviewAsync(denied.Clone())).Allowed);
        var after = await Metrics();

        Assert.Equal("counter", after.Types["admission_decisions_total"]);
        double Count(PrometheusText m, string result, string decision) =>
            m.Value("admission_decisions_total", ("result", result), ("decision", decision)) ?? 0;
        // Other test classes share the server but not this collection's time slot: counts move only by ours.
        Assert.Equal(1, Count(after, "allowed", "approved") - Count(before, "allowed", "approved"));
        Assert.Equal(2, Count(after, "denied", "denied") - Count(before, "denied", "denied"));
        Assert.All(after.All("admission_decisions_total"), s => Assert.Equal(["decision", "result"], s.Labels.Keys.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task Metrics_have_the_latency_histogram()
    {
        Assert.True((await webhook.Client.ReviewAsync(Review.Example("deployment-scale"))).Allowed);
        var m = await Metrics();
        Assert.Equal("histogram", m.Types["admission_request_duration_seconds"]);
        var buckets = m.All("admission_request_duration_seconds_bucket").ToList();
        Assert.True(buckets.Count >= 5, m.Text);
        Assert.Contains(buckets, b => b.Labels["le"] == "+Inf");
        var count = m.Value("admission_request_duration_seconds_count");
        Assert.True(count >= 1, m.Text);
        Assert.Equal(count, buckets.Single(b => b.Labels["le"] == "+Inf").Value);
        Assert.True(m.Value("admission_request_duration_seconds_sum") > 0, m.Text);
    }

    [Fact]
    public async Task Metrics_have_approvals_cached_and_certificate_expiry()
    {
        var m = await Metrics();
        Assert.Equal(4, m.Value("admission_approvals_cached"));
        Assert.Equal(0, m.Value("admission_approval_source_errors"));
        using var cert = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(webhook.Server.TlsDir, "tls.crt"));
        var expected = new DateTimeOffset(cert.NotAfter.ToUniversalTime()).ToUnixTimeSeconds();
        Assert.Equal(expected, m.Value("admission_certificate_expiry_timestamp_seconds"));
        Assert.True(expected > DateTimeOffset.UtcNow.AddDays(300).ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Each_decision_is_logged_on_one_line_without_object_contents()
    {
        var review = Review.Example("deployment-create");
        review.Annotate(review.Object, "example.com/secret-ish", "do-not-log-this-value");
        Assert.True((await webhook.Client.ReviewAsync(review)).Allowed);
        var line = await WebhookCalls.EventuallyAsync(
            () => Task.FromResult(webhook.Server.Output.Split('\n').FirstOrDefault(l => l.Contains($"uid={review.Uid}", StringComparison.Ordinal))),
            l => l is not null, TimeSpan.FromSeconds(5), "the decision log line");
        foreach (var part in new[] { "decision uid=", "user=carol", "operation=CREATE", "resource=deployments.apps", "object=payments/checkout",
                     "decision=approved", "approval=payments/checkout-2-4-1", "dryRun=False", "latencyMs=" })
        {
            Assert.Contains(part, line, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("do-not-log-this-value", webhook.Server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("registry.example.com/checkout", webhook.Server.Output, StringComparison.Ordinal);
    }

    private async Task<PrometheusText> Metrics()
    {
        using var response = await webhook.Client.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }
}
