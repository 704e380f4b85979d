namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// serve with --tls-cert/--tls-key: replacing the PEM files (as cert-manager or a Secret
/// rotation does) switches new connections to the new certificate without a restart, and no
/// request fails while it happens.
/// </summary>
public sealed class CertificateReloadTests
{
    [Fact]
    public async Task Replaced_PEM_files_are_served_to_new_connections_and_no_request_fails()
    {
        // The second certificate comes from a new CA, and the client trusts both: like an API
        // server given a caBundle holding both the old and the new CA.
        await using var pem = await PemServe.StartAsync(["localhost", "127.0.0.1"], newCa: true, folder: "certs");
        var (server, trust) = (pem.Server, pem.Trust);
        await using var load = HandshakeLoad.Start(trust, server.BaseAddress, workers: 3,
            worker => worker % 2 == 0 ? Review.Example("deployment-scale") : Review.Example("deployment-create").Named("billing"),
            (sent, answer) => answer.Uid == sent.Uid ? null : $"uid {answer.Uid} for {sent.Uid}");

        await load.AnsweredAsync(10, "requests with the first certificate");
        Assert.All(trust.SeenThumbprints, t => Assert.Equal(pem.First.Thumbprint, t));

        // Replace both files, each in one step (write aside, rename over), key first.
        pem.Replace("tls.key", CertificateAuthority.KeyPem(pem.Second));
        pem.Replace("tls.crt", CertificateAuthority.CertificatePem(pem.Second));
        var replaced = Stopwatch.StartNew();

        await WebhookCalls.EventuallyAsync(() => Task.FromResult(trust.SeenThumbprints.LastOrDefault()), t => t == pem.Second.Thumbprint,
            TimeSpan.FromSeconds(10), "a new connection getting the new certificate");
        var switchedAfter = replaced.Elapsed;
        await load.AnsweredAsync(10, "requests with the new certificate");
        await load.StopAsync();

        Assert.True(load.Failures.IsEmpty, $"requests failed during the switch:\n{string.Join("\n", load.Failures.Take(10))}\n{server.Output}");
        Assert.True(switchedAfter < TimeSpan.FromSeconds(5), $"the new certificate was served only after {switchedAfter}");
        // Once the new certificate is served, the old one never comes back. A handshake that had
        // already started on another worker may still finish with it, and on a loaded machine it
        // can finish after many new ones, so what is bounded is how many, not where: one per worker
        // at most, since each worker has one request in flight.
        var seen = trust.SeenThumbprints.ToList();
        var firstNew = seen.IndexOf(pem.Second.Thumbprint);
        var oldAfterSwitch = seen.Skip(firstNew).Count(t => t != pem.Second.Thumbprint);
        Assert.True(oldAfterSwitch <= load.Workers, $"{oldAfterSwitch} handshakes got the old certificate after the new one was served");
        var before = trust.SeenThumbprints.Count;
        for (var i = 0; i < 3; i++)
        {
            using var fresh = trust.Create(server.BaseAddress, pooled: false);
            using var _ = await fresh.GetAsync("healthz");
        }
        Assert.All(trust.SeenThumbprints.Skip(before), t => Assert.Equal(pem.Second.Thumbprint, t));
        Assert.Equal(before + 3, trust.SeenThumbprints.Count);
        Assert.Contains("serving certificate reloaded", server.Output, StringComparison.Ordinal);

        using var check = trust.Create(server.BaseAddress);
        var metrics = PrometheusText.Parse(await check.GetStringAsync("metrics"));
        Assert.Equal(new DateTimeOffset(pem.Second.NotAfter.ToUniversalTime()).ToUnixTimeSeconds(), metrics.Value("admission_certificate_expiry_timestamp_seconds"));
        using var onlyA = new ApiServerClient(pem.Ca).Create(server.BaseAddress);
        await Assert.ThrowsAsync<HttpRequestException>(() => onlyA.GetAsync("healthz"));
    }

    [Fact]
    public async Task A_half_written_pair_keeps_the_current_certificate()
    {
        await using var pem = await PemServe.StartAsync(["127.0.0.1"]);
        var (server, trust) = (pem.Server, pem.Trust);

        // Only the certificate is replaced: it does not match the key, so it must not be used.
        pem.Replace("tls.crt", CertificateAuthority.CertificatePem(pem.Second));
        await WebhookCalls.EventuallyAsync(() => Task.FromResult(server.Output), o => o.Contains("could not be reloaded", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the mismatched pair being reported");
        using (var client = trust.Create(server.BaseAddress, pooled: false))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("readyz")).StatusCode);
        }
        Assert.All(trust.SeenThumbprints, t => Assert.Equal(pem.First.Thumbprint, t));

        // The key arrives: the pair is complete and is served.
        pem.Replace("tls.key", CertificateAuthority.KeyPem(pem.Second));
        await WebhookCalls.EventuallyAsync(async () =>
        {
            using var client = trust.Create(server.BaseAddress, pooled: false);
            using var _ = await client.GetAsync("healthz");
            return trust.SeenThumbprints.Last();
        }, t => t == pem.Second.Thumbprint, TimeSpan.FromSeconds(10), "the completed pair being served");
    }
}
