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
        using var dir = new TempDir();
        var now = DateTimeOffset.UtcNow;
        using var caA = CertificateAuthority.CreateCa("test CA A", now, TimeSpan.FromDays(2));
        using var caB = CertificateAuthority.CreateCa("test CA B", now, TimeSpan.FromDays(2));
        using var leaf1 = CertificateAuthority.IssueServing(caA, ["localhost", "127.0.0.1"], now, TimeSpan.FromDays(1));
        using var leaf2 = CertificateAuthority.IssueServing(caB, ["localhost", "127.0.0.1"], now, TimeSpan.FromDays(1));
        await using var server = await PemServe.StartAsync(dir, leaf1, caA, "certs");

        // Like an API server given a caBundle holding both the old and the new CA.
        var trust = new ApiServerClient(caA, caB);
        var failures = new ConcurrentQueue<string>();
        var served = 0;
        using var stop = new CancellationTokenSource();

        async Task Loop(int worker)
        {
            while (!stop.IsCancellationRequested)
            {
                // A new client per request: a new TCP connection and a new TLS handshake each time.
                using var client = trust.Create(server.BaseAddress, pooled: false);
                var review = worker % 2 == 0 ? Review.Example("deployment-scale") : Review.Example("deployment-create").Named("billing");
                try
                {
                    var answer = await client.ReviewAsync(review);
                    if (answer.Uid != review.Uid) failures.Enqueue($"uid {answer.Uid} for {review.Uid}");
                    Interlocked.Increment(ref served);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException)
                {
                    failures.Enqueue($"{e.GetType().Name}: {e.Message} {e.InnerException?.Message}");
                }
            }
        }

        var loops = Enumerable.Range(0, 3).Select(i => Task.Run(() => Loop(i))).ToList();
        await WebhookCalls.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref served)), n => n >= 10, TimeSpan.FromSeconds(20), "requests with the first certificate");
        Assert.All(trust.SeenThumbprints, t => Assert.Equal(leaf1.Thumbprint, t));

        // Replace both files, each in one step (write aside, rename over), key first.
        dir.WriteAtomically("certs/tls.key", CertificateAuthority.KeyPem(leaf2));
        dir.WriteAtomically("certs/tls.crt", CertificateAuthority.CertificatePem(leaf2));
        var replaced = Stopwatch.StartNew();

        await WebhookCalls.EventuallyAsync(() => Task.FromResult(trust.SeenThumbprints.LastOrDefault()), t => t == leaf2.Thumbprint,
            TimeSpan.FromSeconds(10), "a new connection getting the new certificate");
        var switchedAfter = replaced.Elapsed;
        var servedAtSwitch = Volatile.Read(ref served);
        await WebhookCalls.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref served)), n => n >= servedAtSwitch + 10, TimeSpan.FromSeconds(20), "requests with the new certificate");
        stop.Cancel();
        await Task.WhenAll(loops);

        Assert.True(failures.IsEmpty, $"requests failed during the switch:\n{string.Join("\n", failures.Take(10))}\n{server.Output}");
        Assert.True(switchedAfter < TimeSpan.FromSeconds(5), $"the new certificate was served only after {switchedAfter}");
        // Once the new certificate is served, the old one never comes back. A handshake that had
        // already started on another worker may still finish with it, and on a loaded machine it
        // can finish after many new ones, so what is bounded is how many, not where: one per worker
        // at most, since each worker has one request in flight.
        var seen = trust.SeenThumbprints.ToList();
        var firstNew = seen.IndexOf(leaf2.Thumbprint);
        var oldAfterSwitch = seen.Skip(firstNew).Count(t => t != leaf2.Thumbprint);
        Assert.True(oldAfterSwitch <= loops.Count, $"{oldAfterSwitch} handshakes got the old certificate after the new one was served");
        var before = trust.SeenThumbprints.Count;
        for (var i = 0; i < 3; i++)
        {
            using var fresh = trust.Create(server.BaseAddress, pooled: false);
            using var _ = await fresh.GetAsync("healthz");
        }
        Assert.All(trust.SeenThumbprints.Skip(before), t => Assert.Equal(leaf2.Thumbprint, t));
        Assert.Equal(before + 3, trust.SeenThumbprints.Count);
        Assert.Contains("serving certificate reloaded", server.Output, StringComparison.Ordinal);

        using var check = trust.Create(server.BaseAddress);
        var metrics = PrometheusText.Parse(await check.GetStringAsync("metrics"));
        Assert.Equal(new DateTimeOffset(leaf2.NotAfter.ToUniversalTime()).ToUnixTimeSeconds(), metrics.Value("admission_certificate_expiry_timestamp_seconds"));
        using var onlyA = new ApiServerClient(caA).Create(server.BaseAddress);
        await Assert.ThrowsAsync<HttpRequestException>(() => onlyA.GetAsync("healthz"));
    }

    [Fact]
    public async Task A_half_written_pair_keeps_the_current_certificate()
    {
        using var dir = new TempDir();
        var now = DateTimeOffset.UtcNow;
        using var ca = CertificateAuthority.CreateCa("test CA", now, TimeSpan.FromDays(2));
        using var leaf1 = CertificateAuthority.IssueServing(ca, ["127.0.0.1"], now, TimeSpan.FromDays(1));
        using var leaf2 = CertificateAuthority.IssueServing(ca, ["127.0.0.1"], now, TimeSpan.FromDays(1));
        await using var server = await PemServe.StartAsync(dir, leaf1, ca);
        var trust = new ApiServerClient(ca);

        // Only the certificate is replaced: it does not match the key, so it must not be used.
        dir.WriteAtomically("tls.crt", CertificateAuthority.CertificatePem(leaf2));
        await WebhookCalls.EventuallyAsync(() => Task.FromResult(server.Output), o => o.Contains("could not be reloaded", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the mismatched pair being reported");
        using (var client = trust.Create(server.BaseAddress, pooled: false))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("readyz")).StatusCode);
        }
        Assert.All(trust.SeenThumbprints, t => Assert.Equal(leaf1.Thumbprint, t));

        // The key arrives: the pair is complete and is served.
        dir.WriteAtomically("tls.key", CertificateAuthority.KeyPem(leaf2));
        await WebhookCalls.EventuallyAsync(async () =>
        {
            using var client = trust.Create(server.BaseAddress, pooled: false);
            using var _ = await client.GetAsync("healthz");
            return trust.SeenThumbprints.Last();
        }, t => t == leaf2.Thumbprint, TimeSpan.FromSeconds(10), "the completed pair being served");
    }
}
