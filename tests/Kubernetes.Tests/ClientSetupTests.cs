namespace Admission.Kubernetes.Tests;

/// <summary>
/// The client setup both programs use: a kubeconfig file that is missing or is not one is a
/// <see cref="KubeconfigException"/> naming the file with KubernetesClient's words (what
/// <c>serve</c> and <c>uninstall</c> print after <c>error: FILE:</c>, exit 2); a good file gives
/// its cluster; and kubectl's file and context resolution for the plugin.
/// </summary>
public sealed class ClientSetupTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("kube-setup-");

    public void Dispose() => _dir.Delete(recursive: true);

    private const string Kubeconfig = """
        apiVersion: v1
        kind: Config
        current-context: test
        clusters:
        - name: test
          cluster:
            server: https://127.0.0.1:6443
            insecure-skip-tls-verify: true
        contexts:
        - name: test
          context:
            cluster: test
            user: admin
            namespace: shop
        users:
        - name: admin
          user:
            token: abc
        """;

    [Fact]
    public void A_missing_kubeconfig_names_the_file()
    {
        var missing = Path.Combine(_dir.FullName, "nope");
        var e = Assert.Throws<KubeconfigException>(() => ClientSetup.FileOrInCluster(missing));
        Assert.Equal(missing, e.Where);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.IsType<k8s.Exceptions.KubeConfigException>(e.InnerException);
    }

    [Fact]
    public void A_file_that_is_not_a_kubeconfig_names_the_file()
    {
        var policy = Path.Combine(_dir.FullName, "policy.yaml");
        File.WriteAllText(policy, "tier1Namespaces: [shop]\n");
        var e = Assert.Throws<KubeconfigException>(() => ClientSetup.FileOrInCluster(policy));
        Assert.Equal(policy, e.Where);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void A_kubeconfig_gives_its_cluster_and_namespace()
    {
        var file = Path.Combine(_dir.FullName, "config");
        File.WriteAllText(file, Kubeconfig);
        var config = ClientSetup.FileOrInCluster(file);
        Assert.NotNull(config);
        Assert.Equal(("https://127.0.0.1:6443", "shop"), (config.Host.TrimEnd('/'), config.Namespace));
        using var client = ClientSetup.Create(config, coreGroupPaths: true);
        Assert.Equal("https://127.0.0.1:6443", client.BaseUri.ToString().TrimEnd('/'));
    }

    [Fact]
    public void Without_a_kubeconfig_outside_a_cluster_there_is_none() =>
        // The test host is not a pod: no service-account token at the in-cluster path.
        Assert.True(k8s.KubernetesClientConfiguration.IsInCluster() || ClientSetup.FileOrInCluster(null) is null);

    [Fact]
    public void Kubectls_files_and_contexts()
    {
        var a = Path.Combine(_dir.FullName, "a");
        var b = Path.Combine(_dir.FullName, "b");
        File.WriteAllText(a, Kubeconfig);
        File.WriteAllText(b, Kubeconfig.Replace("current-context: test", "current-context: other", StringComparison.Ordinal)
            .Replace("- name: test\n  context:", "- name: other\n  context:", StringComparison.Ordinal));
        var env = new Dictionary<string, string?> { ["KUBECONFIG"] = string.Join(Path.PathSeparator, a, Path.Combine(_dir.FullName, "gone"), b), ["HOME"] = _dir.FullName };
        Assert.Equal([a, b], KubeconfigFiles.Resolve(null, n => env.GetValueOrDefault(n)));
        var (config, context) = KubeconfigFiles.Load([a, b], null);
        Assert.Equal(("test", "shop"), (context, config.Namespace));
        var e = Assert.Throws<KubeconfigException>(() => KubeconfigFiles.Load([a], "missing"));
        Assert.Equal($"context \"missing\" is not in kubeconfig {a}", e.Message);
        env.Remove("KUBECONFIG");
        var none = Assert.Throws<KubeconfigException>(() => KubeconfigFiles.Resolve(null, n => env.GetValueOrDefault(n)));
        Assert.Equal($"no kubeconfig: {Path.Combine(_dir.FullName, ".kube", "config")} does not exist; set KUBECONFIG or pass --kubeconfig FILE", none.Message);
    }

    [Fact]
    public async Task The_core_group_path_is_rewritten_for_generic_calls()
    {
        using var recorder = new Recorder();
        using var handler = new CoreGroupPathHandler { InnerHandler = recorder };
        using var invoker = new HttpMessageInvoker(handler);
        using var core = new HttpRequestMessage(HttpMethod.Get, "https://h/apis//v1/namespaces/shop/configmaps/x");
        using var apps = new HttpRequestMessage(HttpMethod.Get, "https://h/apis/apps/v1/namespaces/shop/deployments/x");
        (await invoker.SendAsync(core, CancellationToken.None)).Dispose();
        (await invoker.SendAsync(apps, CancellationToken.None)).Dispose();
        Assert.Equal(["/api/v1/namespaces/shop/configmaps/x", "/apis/apps/v1/namespaces/shop/deployments/x"], recorder.Paths);
    }

    [Fact]
    public void Warning_headers_read_as_kubectl_prints_them()
    {
        Assert.Equal("text with \"quotes\"", WarningHeaders.Parse("299 - \"text with \\\"quotes\\\"\""));
        Assert.Equal("no quotes", WarningHeaders.Parse("no quotes"));
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("Warning", "299 - \"spec.ttl is long\"");
        Assert.Equal(["spec.ttl is long"], WarningHeaders.Of(response));
        Assert.Empty(WarningHeaders.Of(null));
    }

    private sealed class Recorder : HttpMessageHandler
    {
        public List<string> Paths { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Paths.Add(request.RequestUri!.AbsolutePath);
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        }
    }
}
