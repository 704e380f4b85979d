namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// The certificate files replaced by garbage while reviews arrive on new connections: the old
/// certificate stays in use, the failure is logged and counted, and a good pair written after
/// is picked up, with not one review failing throughout.
/// </summary>
public sealed class CertificateGarbageUnderLoadTests
{
    [Fact]
    public async Task Garbage_keeps_the_old_certificate_loudly_and_a_good_pair_is_picked_up_with_no_failed_review()
    {
        using var dir = new TempDir();
        var now = DateTimeOffset.UtcNow;
        using var ca = CertificateAuthority.CreateCa("test CA", now, TimeSpan.FromDays(2));
        using var leaf1 = CertificateAuthority.IssueServing(ca, ["127.0.0.1"], now, TimeSpan.FromDays(1));
        using var leaf2 = CertificateAuthority.IssueServing(ca, ["127.0.0.1"], now, TimeSpan.FromDays(1));
        await using var server = await PemServe.StartAsync(dir, leaf1, ca);
        var trust = new ApiServerClient(ca);
        using var metricsClient = trust.Create(server.BaseAddress);

        // The load: a new connection (a new TLS handshake) for every review.
        var failures = new ConcurrentQueue<string>();
        var answered = 0;
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var client = trust.Create(server.BaseAddress, pooled: false);
                    var answer = await client.ReviewAsync(Review.Example("deployment-create"));
                    if (answer.Decision is null) failures.Enqueue("no decision");
                    Interlocked.Increment(ref answered);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException)
                {
                    failures.Enqueue(e.Message);
                }
            }
        });

        await WebhookCalls.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref answered)), n => n >= 5, TimeSpan.FromSeconds(20), "reviews before the garbage");
        dir.WriteAtomically("tls.crt", "not a certificate\n");
        dir.WriteAtomically("tls.key", "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n");
        await WebhookCalls.EventuallyAsync(() => Task.FromResult(server.Output), o => o.Contains("could not be reloaded, keeping the current one", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the garbage being reported");
        await WebhookCalls.EventuallyAsync(async () => PrometheusText.Parse(await metricsClient.GetStringAsync("metrics")).Value("admission_certificate_reload_errors_total") ?? 0,
            v => v >= 1, TimeSpan.FromSeconds(10), "the reload error counted");
        // Still ready (the certificate in force is good), and /readyz says what the source could not load.
        using (var readyWithGarbage = await metricsClient.GetAsync("readyz"))
        {
            var detail = await readyWithGarbage.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, readyWithGarbage.StatusCode);
            Assert.Contains("(from files ", detail, StringComparison.Ordinal);
            Assert.Contains("last load failed: ", detail, StringComparison.Ordinal);
        }
        var atGarbage = Volatile.Read(ref answered);
        await WebhookCalls.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref answered)), n => n >= atGarbage + 5, TimeSpan.FromSeconds(20), "reviews answered with garbage on disk");
        Assert.All(trust.SeenThumbprints, t => Assert.Equal(leaf1.Thumbprint, t));

        dir.WriteAtomically("tls.key", CertificateAuthority.KeyPem(leaf2));
        dir.WriteAtomically("tls.crt", CertificateAuthority.CertificatePem(leaf2));
        await WebhookCalls.EventuallyAsync(() => Task.FromResult(trust.SeenThumbprints.LastOrDefault()), t => t == leaf2.Thumbprint,
            TimeSpan.FromSeconds(15), "the good pair being served");
        var atGood = Volatile.Read(ref answered);
        await WebhookCalls.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref answered)), n => n >= atGood + 5, TimeSpan.FromSeconds(20), "reviews on the new certificate");
        await stop.CancelAsync();
        await load;

        Assert.Empty(failures);
        using var ready = await metricsClient.GetAsync("readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.DoesNotContain("last load failed", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
