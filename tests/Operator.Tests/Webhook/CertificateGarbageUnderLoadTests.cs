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
        await using var pem = await PemServe.StartAsync(["127.0.0.1"]);
        var (server, trust) = (pem.Server, pem.Trust);
        using var metricsClient = trust.Create(server.BaseAddress);

        // The load: a new connection (a new TLS handshake) for every review.
        await using var load = HandshakeLoad.Start(trust, server.BaseAddress, workers: 1,
            _ => Review.Example("deployment-create"), (_, answer) => answer.Decision is null ? "no decision" : null);

        await load.AnsweredAsync(5, "reviews before the garbage");
        pem.Replace("tls.crt", "not a certificate\n");
        pem.Replace("tls.key", "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n");
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
        await load.AnsweredAsync(5, "reviews answered with garbage on disk");
        Assert.All(trust.SeenThumbprints, t => Assert.Equal(pem.First.Thumbprint, t));

        pem.Replace("tls.key", CertificateAuthority.KeyPem(pem.Second));
        pem.Replace("tls.crt", CertificateAuthority.CertificatePem(pem.Second));
        await WebhookCalls.EventuallyAsync(() => Task.FromResult(trust.SeenThumbprints.LastOrDefault()), t => t == pem.Second.Thumbprint,
            TimeSpan.FromSeconds(15), "the good pair being served");
        await load.AnsweredAsync(5, "reviews on the new certificate");
        await load.StopAsync();

        Assert.Empty(load.Failures);
        using var ready = await metricsClient.GetAsync("readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.DoesNotContain("last load failed", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
