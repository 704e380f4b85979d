namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>'self' certificates (issue 6): the leader issues and rotates them; every replica serves them without restart.</summary>
public sealed class SelfCertificateTests : ClusterTest
{
    private const string Secret = "admission-tls";

    private string? SecretData(string key) =>
        _cluster.Api.Get("", "secrets", ClusterHarness.SystemNamespace, Secret)?["data"]?[key]?.ToString() is { } b64
            ? Encoding.UTF8.GetString(Convert.FromBase64String(b64)) : null;

    private string Trust() => SecretData("ca.crt") ?? "";

    private string? ServingThumbprint() => SecretData("tls.crt") is { } pem ? X509Certificate2.CreateFromPem(pem).Thumbprint : null;

    private IReadOnlyList<string?> CaBundles() =>
        [.. _cluster.Api.Get("admissionregistration.k8s.io", "validatingwebhookconfigurations", null, "admission")!["webhooks"]!.AsArray()
            .Select(w => w!["clientConfig"]?["caBundle"]?.ToString() is { } b64 ? Encoding.UTF8.GetString(Convert.FromBase64String(b64)) : null)];

    private AdmissionProcess Start(string replica, int port) =>
        _cluster.Track(AdmissionProcess.Start(replica, _cluster.Kubeconfig(replica), _cluster.TlsDir,
            new Dictionary<string, string>(ClusterHarness.FastTimings) { ["ADMISSION_CERT_CHECK_INTERVAL"] = "1s" },
            port, Trust, ["--namespace", ClusterHarness.SystemNamespace, .. ClusterHarness.ChartArgs, "--cert-secret", Secret, "--webhook-configuration", "admission"]));

    [Fact]
    public async Task The_leader_issues_and_rotates_while_every_replica_keeps_serving()
    {
        var port = AdmissionProcess.FreePort();
        _cluster.RegisterWebhook(port, caPem: "");
        var a = Start("admission-a", port);
        await a.WaitReadyAsync(true, TimeSpan.FromSeconds(30));

        // First install: the Secret and every webhook's caBundle.
        var ca = Trust();
        Assert.Single(SelfCertificateBundle(ca));
        await Wait.UntilAsync(() => CaBundles().All(b => b == ca), TimeSpan.FromSeconds(5), () => _cluster.Logs);
        Assert.Equal(ServingThumbprint(), a.ServedCertificate);
        Assert.True((await _cluster.CreateApprovalAsync("carol", "through-the-webhook")).Ok);

        var b = Start("admission-b", AdmissionProcess.FreePort());
        await b.WaitReadyAsync(true, TimeSpan.FromSeconds(30));
        Assert.Equal(ServingThumbprint(), b.ServedCertificate);

        // A forced renewal while requests flow, through the API server to a and directly to b.
        var oldServing = ServingThumbprint();
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var requests = 0;
        var load = Task.Run(async () =>
        {
            var replicas = 1;
            while (!stop.IsCancellationRequested)
            {
                var viaApi = await ClusterHarness.Try(() => _cluster.Client("carol").AppsV1.PatchNamespacedDeploymentAsync(
                    new V1Patch($$$"""{"spec":{"replicas":{{{replicas++ % 3 + 1}}}}}""", V1Patch.PatchType.MergePatch), ClusterHarness.Deployment, ClusterHarness.Ns));
                if (!viaApi.Ok) failures.Add("via the API server: " + viaApi);
                try
                {
                    var (status, _) = await b.GetAsync("/healthz");
                    if (status != 200) failures.Add("b answered " + status);
                }
                catch (HttpRequestException e)
                {
                    failures.Add("b: " + e.Message);
                }
                Interlocked.Increment(ref requests);
                await Task.Delay(20);
            }
        });

        await _cluster.Client("admin").CoreV1.PatchNamespacedSecretAsync(
            new V1Patch("""{"metadata":{"annotations":{"approvals.admission.dev/renew":"now"}}}""", V1Patch.PatchType.MergePatch),
            Secret, ClusterHarness.SystemNamespace);
        await Wait.UntilAsync(() => ServingThumbprint() != oldServing, TimeSpan.FromSeconds(10), () => _cluster.Logs);
        var bundle = SelfCertificateBundle(Trust());
        Assert.Equal(2, bundle.Count); // the new CA and the one it replaces, both trusted during the change
        Assert.Contains(bundle, c => c.Thumbprint == X509Certificate2.CreateFromPem(ca).Thumbprint);
        await Wait.UntilAsync(() => CaBundles().All(x => x == Trust()), TimeSpan.FromSeconds(5), () => _cluster.Logs);
        var newServing = ServingThumbprint();
        await Wait.ForAsync(async () =>
        {
            await a.GetAsync("/healthz");
            await b.GetAsync("/healthz");
            return (A: a.ServedCertificate, B: b.ServedCertificate);
        }, served => served.A == newServing && served.B == newServing, TimeSpan.FromSeconds(10), $"both replicas to serve {newServing}");
        await Task.Delay(500);
        await stop.CancelAsync();
        await load;

        Assert.Empty(failures);
        Assert.True(requests > 10, $"only {requests} requests");
        Assert.False(a.Exited || b.Exited);
        Assert.Null(_cluster.Api.Get("", "secrets", ClusterHarness.SystemNamespace, Secret)!["metadata"]!["annotations"]?["approvals.admission.dev/renew"]);
    }

    private static X509Certificate2Collection SelfCertificateBundle(string pem)
    {
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPem(pem);
        return bundle;
    }
}
