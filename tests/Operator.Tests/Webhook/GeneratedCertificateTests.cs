namespace Admission.Operator.Tests.Webhook;

/// <summary>serve without --tls-cert: a CA and serving certificate under --tls-dir, reused on restart.</summary>
public sealed class GeneratedCertificateTests
{
    private static readonly string[] DnsNames = ["admission-webhook.admission-system.svc", "admission-webhook.admission-system.svc.cluster.local"];

    [Fact]
    public async Task Certificates_are_created_for_every_name_and_reused_on_restart()
    {
        using var dir = new TempDir();
        File.Copy(Repo.Example("namespace.yaml"), dir.File("namespace.yaml"));
        var settings = new ServeSettings { Approvals = [dir.File("namespace.yaml")], TlsDir = dir.File("tls"), DnsNames = DnsNames };

        byte[] ca, cert;
        await using (var first = await ServeProcess.StartAsync(settings))
        {
            Assert.Contains($"created serving certificate for localhost, 127.0.0.1, {string.Join(", ", DnsNames)}; CA certificate: {Path.GetFullPath(first.CaFile)}", first.Output, StringComparison.Ordinal);
            ca = await File.ReadAllBytesAsync(first.CaFile);
            cert = await File.ReadAllBytesAsync(dir.File("tls/tls.crt"));
            Assert.True(File.Exists(dir.File("tls/tls.key")));
            AssertServingCertificate(dir.File("tls/tls.crt"), first.CaFile);
            await AssertReachableByEveryName(first);
            await first.StopAsync();
            Assert.Equal(0, first.ExitCode);
        }

        await using var second = await ServeProcess.StartAsync(settings);
        Assert.Contains("reusing serving certificate", second.Output, StringComparison.Ordinal);
        Assert.Equal(ca, await File.ReadAllBytesAsync(second.CaFile));
        Assert.Equal(cert, await File.ReadAllBytesAsync(dir.File("tls/tls.crt")));
        using var client = second.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("healthz")).StatusCode);
    }

    [Fact]
    public async Task A_new_name_reissues_the_serving_certificate_from_the_same_CA()
    {
        using var dir = new TempDir();
        File.Copy(Repo.Example("namespace.yaml"), dir.File("namespace.yaml"));
        var settings = new ServeSettings { Approvals = [dir.File("namespace.yaml")], TlsDir = dir.File("tls") };
        byte[] ca, cert;
        await using (var first = await ServeProcess.StartAsync(settings))
        {
            ca = await File.ReadAllBytesAsync(first.CaFile);
            cert = await File.ReadAllBytesAsync(dir.File("tls/tls.crt"));
        }
        await using var second = await ServeProcess.StartAsync(settings with { DnsNames = ["webhook.example.internal"] });
        Assert.Equal(ca, await File.ReadAllBytesAsync(second.CaFile));
        Assert.NotEqual(cert, await File.ReadAllBytesAsync(dir.File("tls/tls.crt")));
        AssertServingCertificate(dir.File("tls/tls.crt"), second.CaFile, "webhook.example.internal");
    }

    private static void AssertServingCertificate(string certFile, string caFile, params string[] names)
    {
        using var leaf = X509CertificateLoader.LoadCertificateFromFile(certFile);
        using var ca = X509CertificateLoader.LoadCertificateFromFile(caFile);
        Assert.Equal(ca.Subject, leaf.Issuer);
        foreach (var name in (string[])["localhost", "127.0.0.1", .. (names.Length == 0 ? DnsNames : names)])
        {
            Assert.True(leaf.MatchesHostname(name, allowWildcards: false, allowCommonName: false), $"{leaf.Subject} should be valid for {name}");
        }
        Assert.False(leaf.MatchesHostname("example.com", allowWildcards: true, allowCommonName: true));
        var basic = leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.False(basic.CertificateAuthority);
        Assert.Contains(leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(),
            o => o.Value == "1.3.6.1.5.5.7.3.1");
    }

    /// <summary>The API server dials the Service's DNS name: each name passes host name checks; others do not.</summary>
    private static async Task AssertReachableByEveryName(ServeProcess server)
    {
        var trust = ApiServerClient.TrustingCaFile(server.CaFile);
        var dial = new IPEndPoint(IPAddress.Loopback, server.Port);
        foreach (var name in (string[])["localhost", .. DnsNames])
        {
            using var client = trust.Create(new Uri($"https://{name}:{server.Port}/"), dial);
            using var response = await client.GetAsync("healthz");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using (var wrongName = trust.Create(new Uri($"https://not-the-webhook.example.com:{server.Port}/"), dial))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => wrongName.GetAsync("healthz"));
        }
        Assert.Contains(trust.Rejections, r => r.Contains("not-the-webhook.example.com", StringComparison.Ordinal));

        // A client that trusts another CA (and not the system store) refuses the server.
        using var otherCa = Admission.Operator.Tls.CertificateAuthority.CreateCa("some other CA", DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        var stranger = new ApiServerClient(otherCa);
        using var strangerClient = stranger.Create(server.BaseAddress);
        await Assert.ThrowsAsync<HttpRequestException>(() => strangerClient.GetAsync("healthz"));
        Assert.Contains(stranger.Rejections, r => r.Contains("does not chain to a trusted CA", StringComparison.Ordinal));
    }
}
