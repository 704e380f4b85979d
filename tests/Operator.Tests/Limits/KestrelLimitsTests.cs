using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Admission.Operator.Tests.Limits;

/// <summary>
/// Each server limit (docs/operating.md, "Limits") against a real HTTPS socket: the hostile
/// client is answered or cut off, and the server goes on deciding for everyone else.
/// </summary>
public sealed class KestrelLimitsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Each limit: how to read it off the running server, its value there, and how
    /// docs/operating.md states it.
    /// </summary>
    private static readonly Dictionary<string, (Func<LimitedWebhook, KestrelServerLimits, object?> Read, string Value, string Documented)> Limits = new()
    {
        ["MaxRequestHeadersTotalSize"] = ((_, k) => k.MaxRequestHeadersTotalSize, "16384", "16 KiB"),
        ["MaxRequestHeaderCount"] = ((_, k) => k.MaxRequestHeaderCount, "64", "64 headers"),
        ["MaxRequestLineSize"] = ((_, k) => k.MaxRequestLineSize, "4096", "4 KiB"),
        ["KeepAliveTimeout"] = ((_, k) => k.KeepAliveTimeout, "00:02:00", "120 s"),
        ["RequestHeadersTimeout"] = ((_, k) => k.RequestHeadersTimeout, "00:00:10", "10 s"),
        ["MinRequestBodyDataRate"] = ((_, k) => Rate(k.MinRequestBodyDataRate), "16384/00:00:02", "16 KiB/s after a 2 s grace"),
        ["MinResponseDataRate"] = ((_, k) => Rate(k.MinResponseDataRate), "16384/00:00:02", "16 KiB/s after a 2 s grace"),
        ["Http2.MaxStreamsPerConnection"] = ((_, k) => k.Http2.MaxStreamsPerConnection, "32", "32 streams"),
        ["MaxConcurrentReviews"] = ((webhook, _) => webhook.Services.GetRequiredService<ReviewConcurrency>().Limit, "64", "64 reviews"),
        ["MaxJsonDepth"] = ((_, _) => WebhookLimits.MaxJsonDepth, "256", "256 levels"),
    };

    private static string Rate(MinDataRate? rate) => $"{rate?.BytesPerSecond}/{rate?.GracePeriod}";

    public static TheoryData<string> Configured => [.. Limits.Keys];

    [Theory]
    [MemberData(nameof(Configured))]
    public async Task The_server_runs_with_the_documented_limit(string limit)
    {
        var (read, value, documented) = Limits[limit];
        await using var webhook = await LimitedWebhook.StartAsync();
        var kestrel = webhook.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        var actual = Convert.ToString(read(webhook, kestrel), CultureInfo.InvariantCulture);
        Assert.Equal(value, actual);
        var docs = File.ReadAllText(Path.Combine(Repo.Root, "docs", "operating.md"));
        var section = docs[docs.IndexOf("## Limits", StringComparison.Ordinal)..];
        Assert.Contains(documented, section, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headers_over_16_KiB_in_total_are_refused_with_431()
    {
        await using var webhook = await LimitedWebhook.StartAsync();
        await using var tls = await webhook.ConnectAsync();
        var body = LimitedWebhook.ReviewBody();
        var extra = $"X-Padding: {new string('a', 17 * 1024)}\r\n";
        await tls.WriteAsync(Encoding.ASCII.GetBytes(LimitedWebhook.Head(body.Length, extra: extra)));
        var (status, _, _) = await LimitedWebhook.ReadResponseAsync(tls, Deadline);
        Assert.Equal(431, status);
        await AssertStillDecides(webhook);
    }

    [Fact]
    public async Task More_than_64_headers_are_refused_with_431()
    {
        await using var webhook = await LimitedWebhook.StartAsync();
        await using var tls = await webhook.ConnectAsync();
        var extra = string.Concat(Enumerable.Range(0, 70).Select(i => $"X-H{i}: {i}\r\n"));
        await tls.WriteAsync(Encoding.ASCII.GetBytes(LimitedWebhook.Head(2, extra: extra) + "{}"));
        var (status, _, _) = await LimitedWebhook.ReadResponseAsync(tls, Deadline);
        Assert.Equal(431, status);
    }

    [Fact]
    public async Task A_request_line_over_4_KiB_is_refused_with_414()
    {
        await using var webhook = await LimitedWebhook.StartAsync();
        await using var tls = await webhook.ConnectAsync();
        await tls.WriteAsync(Encoding.ASCII.GetBytes(LimitedWebhook.Head(2, path: "/validate?timeout=10s&pad=" + new string('a', 5000)) + "{}"));
        var (status, _, _) = await LimitedWebhook.ReadResponseAsync(tls, Deadline);
        Assert.Equal(414, status);
    }

    [Fact]
    public async Task A_client_that_never_finishes_its_headers_is_cut_off_after_the_headers_timeout()
    {
        await using var webhook = await LimitedWebhook.StartAsync(WebhookLimits.Default with { RequestHeadersTimeout = TimeSpan.FromSeconds(1) });
        await using var tls = await webhook.ConnectAsync();
        await tls.WriteAsync("POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\n"u8.ToArray());
        var (_, closed) = await LimitedWebhook.ReadUntilClosedAsync(tls, Deadline);
        Assert.True(closed, "the server kept a connection with unfinished headers open past the headers timeout");
    }

    [Fact]
    public async Task An_idle_kept_alive_connection_is_closed_after_the_keep_alive_timeout()
    {
        await using var webhook = await LimitedWebhook.StartAsync(WebhookLimits.Default with { KeepAliveTimeout = TimeSpan.FromSeconds(1) });
        await using var tls = await webhook.ConnectAsync();
        var body = LimitedWebhook.ReviewBody();
        await tls.WriteAsync(Encoding.ASCII.GetBytes(LimitedWebhook.Head(body.Length)));
        await tls.WriteAsync(body);
        var (status, _, _) = await LimitedWebhook.ReadResponseAsync(tls, Deadline);
        Assert.Equal(200, status);
        var (_, closed) = await LimitedWebhook.ReadUntilClosedAsync(tls, Deadline);
        Assert.True(closed, "an idle connection stayed open past the keep-alive timeout");
    }

    [Fact]
    public async Task A_client_sending_a_byte_a_second_is_cut_off_and_frees_its_review_slot()
    {
        // One slot, so a slow client that held it would lock everyone else out.
        await using var webhook = await LimitedWebhook.StartAsync(WebhookLimits.Default with { MaxConcurrentReviews = 1 });
        await using var tls = await webhook.ConnectAsync();
        var body = LimitedWebhook.ReviewBody();
        await tls.WriteAsync(Encoding.ASCII.GetBytes(LimitedWebhook.Head(body.Length)));
        using var stop = new CancellationTokenSource();
        var slowloris = Task.Run(async () =>
        {
            for (var i = 0; i < body.Length && !stop.IsCancellationRequested; i++)
            {
                try
                {
                    await tls.WriteAsync(body.AsMemory(i, 1), stop.Token);
                    await Task.Delay(1000, stop.Token);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
                {
                    return true; // cut off
                }
            }
            return false;
        });

        using var client = webhook.CreateClient();
        var clock = Stopwatch.StartNew();
        // Until the server has read the slow client's headers, its request holds no slot and a
        // review is still admitted: first wait for one to be shed, then for the slot to come back.
        var sawShed = false;
        while (!sawShed && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            using var response = await client.PostAsync("validate", WebhookCalls.Json(Encoding.UTF8.GetString(body)));
            sawShed = response.StatusCode == HttpStatusCode.TooManyRequests;
            if (!sawShed) await Task.Delay(20);
        }
        HttpStatusCode last;
        do
        {
            using var response = await client.PostAsync("validate", WebhookCalls.Json(Encoding.UTF8.GetString(body)));
            last = response.StatusCode;
            if (last != HttpStatusCode.OK) await Task.Delay(200);
        }
        while (last != HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(20));
        await stop.CancelAsync();
        Assert.True(sawShed, "the slow client never held the one review slot; the test did not test anything");
        Assert.Equal(HttpStatusCode.OK, last);
        var (_, closed) = await LimitedWebhook.ReadUntilClosedAsync(tls, Deadline);
        Assert.True(closed, "the slow client's connection was left open");
        await slowloris;
    }

    [Fact]
    public async Task Http2_connections_are_offered_32_streams()
    {
        await using var webhook = await LimitedWebhook.StartAsync();
        await using var tls = await webhook.ConnectAsync("h2");
        Assert.Equal("h2", tls.NegotiatedApplicationProtocol.ToString());
        await tls.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await tls.WriteAsync(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 }); // an empty SETTINGS frame
        var header = new byte[9];
        await tls.ReadExactlyAsync(header);
        Assert.Equal(4, header[3]); // the server's first frame is its SETTINGS
        var payload = new byte[(header[0] << 16) | (header[1] << 8) | header[2]];
        await tls.ReadExactlyAsync(payload);
        var settings = Enumerable.Range(0, payload.Length / 6).ToDictionary(
            i => (payload[i * 6] << 8) | payload[(i * 6) + 1],
            i => (payload[(i * 6) + 2] << 24) | (payload[(i * 6) + 3] << 16) | (payload[(i * 6) + 4] << 8) | payload[(i * 6) + 5]);
        Assert.Equal(32, settings[3]); // SETTINGS_MAX_CONCURRENT_STREAMS
    }

    [Fact]
    public async Task Past_the_concurrent_review_limit_a_review_is_answered_429_at_once_and_probes_still_answer()
    {
        // A long grace period so that the two held requests are not cut off by the data-rate limit.
        await using var webhook = await LimitedWebhook.StartAsync(WebhookLimits.Default with { MaxConcurrentReviews = 2, MinDataRateGrace = TimeSpan.FromSeconds(60) });
        var body = LimitedWebhook.ReviewBody();
        var held = new List<System.Net.Security.SslStream>();
        for (var i = 0; i < 2; i++)
        {
            var tls = await webhook.ConnectAsync();
            await tls.WriteAsync(Encoding.ASCII.GetBytes(LimitedWebhook.Head(body.Length)));
            await tls.WriteAsync(body.AsMemory(0, body.Length / 2));
            await tls.FlushAsync();
            held.Add(tls);
        }

        using var client = webhook.CreateClient();
        var shedBefore = Metric(await client.GetStringAsync("metrics"));
        HttpResponseMessage? shed = null;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Deadline)
        {
            var response = await client.PostAsync("validate", WebhookCalls.Json(Encoding.UTF8.GetString(body)));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                shed = response;
                break;
            }
            response.Dispose();
            await Task.Delay(100);
        }
        Assert.NotNull(shed);
        using (shed)
        {
            Assert.Equal("1", shed.Headers.GetValues("Retry-After").Single());
            Assert.Contains("as many reviews as it allows at once (2); retry shortly", await shed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var ready = await client.GetAsync("readyz")) Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.True(Metric(await client.GetStringAsync("metrics")) > shedBefore);

        foreach (var tls in held)
        {
            await tls.WriteAsync(body.AsMemory(body.Length / 2));
            var (status, _, answer) = await LimitedWebhook.ReadResponseAsync(tls, Deadline);
            Assert.Equal(200, status);
            Assert.Contains("\"allowed\"", answer, StringComparison.Ordinal);
            await tls.DisposeAsync();
        }
        await AssertStillDecides(webhook);
    }

    [Theory]
    [InlineData(250, 200)]
    [InlineData(300, 400)]
    public async Task Review_bodies_nest_up_to_256_levels(int objectDepth, int expected)
    {
        await using var webhook = await LimitedWebhook.StartAsync();
        using var client = webhook.CreateClient();
        var review = Review.Example("deployment-create");
        JsonNode nested = "leaf";
        for (var i = 0; i < objectDepth; i++) nested = new JsonObject { ["a"] = nested };
        review.Object!["spec"]!["template"]!["metadata"]!["annotations"] = null;
        review.Object!["spec"]!["config"] = nested; // request.object.spec.config: 4 levels above
        var (status, text, response) = await client.SendRawAsync(HttpMethod.Post, WebhookCalls.Json(review.ToJson()));
        response.Dispose();
        Assert.Equal(expected, (int)status);
        if (expected == 400) Assert.Contains("depth", text, StringComparison.OrdinalIgnoreCase);
        else Assert.Contains("\"uid\"", text, StringComparison.Ordinal);
    }

    private static double Metric(string text) =>
        PrometheusText.Parse(text).Value("admission_reviews_shed_total") ?? 0;

    private static async Task AssertStillDecides(LimitedWebhook webhook)
    {
        using var client = webhook.CreateClient();
        var answer = await client.ReviewAsync(Review.Example("deployment-create"));
        Assert.NotNull(answer.Decision);
    }
}
