using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Admission.Plugin.Kube;

/// <summary>The real cluster, through KubernetesClient. Only translation here: no decisions.</summary>
public sealed class KubeClusterClient(Kubernetes client, string server) : IClusterClient
{
    public async Task<Identity> WhoAmIAsync(CancellationToken cancellationToken)
    {
        var review = await Call(() => client.AuthenticationV1.CreateSelfSubjectReviewAsync(
            new V1SelfSubjectReview { ApiVersion = "authentication.k8s.io/v1", Kind = "SelfSubjectReview" },
            cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        var user = review.Status?.UserInfo;
        return new Identity(user?.Username ?? "", user?.Groups?.ToArray() ?? []);
    }

    public async Task<JsonElement?> GetAsync(ApiResource resource, string? ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = resource.Namespaced
                ? await Call(() => client.CustomObjects.GetNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(
                    resource.Group, resource.Version, ns ?? "", resource.Plural, name, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false)
                : await Call(() => client.CustomObjects.GetClusterCustomObjectWithHttpMessagesAsync<JsonElement>(
                    resource.Group, resource.Version, resource.Plural, name, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            using (response)
            {
                return response.Body;
            }
        }
        catch (ClusterApiException e) when (IsObjectNotFound(e, name))
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<JsonElement>> ListAsync(ApiResource resource, string? ns, CancellationToken cancellationToken)
    {
        var response = ns is null || !resource.Namespaced
            ? await Call(() => client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<JsonElement>(
                resource.Group, resource.Version, resource.Plural, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false)
            : await Call(() => client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(
                resource.Group, resource.Version, ns, resource.Plural, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        using (response)
        {
            var list = response.Body;
            if (list.ValueKind == JsonValueKind.Object && list.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                return [.. items.EnumerateArray().Select(i => i.Clone())];
            }
            return [];
        }
    }

    public async Task<WriteResult> CreateAsync(ApiResource resource, string ns, JsonObject body, CancellationToken cancellationToken)
    {
        using var response = await Call(() => client.CustomObjects.CreateNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(
            body, resource.Group, resource.Version, ns, resource.Plural, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        return new WriteResult(response.Body, Warnings(response.Response));
    }

    public async Task<WriteResult> ReplaceAsync(ApiResource resource, string ns, string name, JsonObject body, CancellationToken cancellationToken)
    {
        using var response = await Call(() => client.CustomObjects.ReplaceNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(
            body, resource.Group, resource.Version, ns, resource.Plural, name, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        return new WriteResult(response.Body, Warnings(response.Response));
    }

    public async Task<WriteResult> DryRunAsync(ApiResource resource, string ns, string? name, JsonObject body, CancellationToken cancellationToken)
    {
        using var response = name is null
            ? await Call(() => client.CustomObjects.CreateNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(
                body, resource.Group, resource.Version, ns, resource.Plural, dryRun: "All", cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false)
            : await Call(() => client.CustomObjects.ReplaceNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(
                body, resource.Group, resource.Version, ns, resource.Plural, name, dryRun: "All", cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        return new WriteResult(response.Body, Warnings(response.Response));
    }

    public void Dispose() => client.Dispose();

    /// <summary>True when the 404 is about this object, not about the resource type missing.</summary>
    private static bool IsObjectNotFound(ClusterApiException e, string name) =>
        e.StatusCode == 404 && (e.DetailsName == name || e.Message.EndsWith($"\"{name}\" not found", StringComparison.Ordinal));

    private async Task<T> Call<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            throw ApiErrors.FromResponse((int)e.Response.StatusCode, e.Response.Content, e.Response.ReasonPhrase);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ClusterUnreachableException($"the API server at {server} did not answer in time", e);
        }
        catch (HttpRequestException e)
        {
            throw new ClusterUnreachableException($"cannot reach the API server at {server}: {Describe(e)}", e);
        }
        catch (AuthenticationException e)
        {
            throw new ClusterUnreachableException($"cannot reach the API server at {server}: TLS handshake failed: {e.Message}", e);
        }
    }

    private static string Describe(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException s)
            {
                return s.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.HostNotFound => "host not found",
                    SocketError.TimedOut => "connection timed out",
                    _ => s.Message,
                };
            }
            if (inner is AuthenticationException a)
            {
                return "TLS handshake failed: " + (a.InnerException?.Message ?? a.Message);
            }
        }
        return e.Message;
    }

    /// <summary>Warning headers (<c>299 - "text"</c>), as kubectl prints them.</summary>
    internal static IReadOnlyList<string> Warnings(HttpResponseMessage? response)
    {
        if (response is null || !response.Headers.TryGetValues("Warning", out var values)) return [];
        var result = new List<string>();
        foreach (var value in values)
        {
            result.Add(ApiErrors.ParseWarning(value));
        }
        return result;
    }
}

/// <summary>Turns HTTP errors into <see cref="ClusterApiException"/>s with the server's own words.</summary>
public static class ApiErrors
{
    public static ClusterApiException FromResponse(int statusCode, string? body, string? reasonPhrase)
    {
        string? message = null, reason = null, detailsName = null;
        var causes = new List<StatusCause>();
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    message = Str(root, "message");
                    reason = Str(root, "reason");
                    if (root.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Object)
                    {
                        detailsName = Str(details, "name");
                        if (details.TryGetProperty("causes", out var list) && list.ValueKind == JsonValueKind.Array)
                        {
                            foreach (var cause in list.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.Object))
                            {
                                causes.Add(new StatusCause(Str(cause, "reason") ?? "", Str(cause, "field") ?? "", Str(cause, "message") ?? ""));
                            }
                        }
                    }
                }
            }
            catch (JsonException)
            {
                message = body.Trim();
            }
        }
        if (string.IsNullOrEmpty(message))
        {
            message = reasonPhrase ?? ((HttpStatusCode)statusCode).ToString();
        }
        return new ClusterApiException(statusCode, reason ?? ((HttpStatusCode)statusCode).ToString(), message, detailsName, causes);
    }

    /// <summary>RFC 7234 warning value <c>299 - "text"</c> to its text.</summary>
    public static string ParseWarning(string value)
    {
        var first = value.IndexOf('"', StringComparison.Ordinal);
        var last = value.LastIndexOf('"');
        if (first < 0 || last <= first) return value;
        return value[(first + 1)..last].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
    }

    private static string? Str(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>
/// KubernetesClient's custom-object calls build <c>/apis/GROUP/...</c>; for the core group that is
/// <c>/apis//v1/...</c>, which this handler turns into <c>/api/v1/...</c>, so one generic code path
/// reads Namespaces, ConfigMaps and workloads alike.
/// </summary>
internal sealed class CoreGroupPathHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { } uri && uri.AbsolutePath.Contains("/apis//", StringComparison.Ordinal))
        {
            var builder = new UriBuilder(uri) { Path = uri.AbsolutePath.Replace("/apis//", "/api/", StringComparison.Ordinal) };
            request.RequestUri = builder.Uri;
        }
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>Resolves kubeconfig files, context and namespace the way kubectl does.</summary>
public sealed class KubeConnector(Func<string, string?> environment) : IClusterConnector
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public ClusterConnection Connect(KubeSelection selection)
    {
        var files = KubeconfigFiles(selection.Kubeconfig, environment);
        k8s.KubeConfigModels.K8SConfiguration merged;
        try
        {
            merged = Merge(files.Select(f => KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(f), useRelativePaths: true)).ToList());
        }
        catch (Exception e)
        {
            throw new KubeconfigException($"cannot read kubeconfig {string.Join(", ", files)}: {e.Message}", e);
        }
        var context = selection.Context ?? merged.CurrentContext;
        if (string.IsNullOrEmpty(context))
        {
            throw new KubeconfigException($"kubeconfig {string.Join(", ", files)} sets no current-context; pass --context NAME");
        }
        if (merged.Contexts?.Any(c => c.Name == context) != true)
        {
            throw new KubeconfigException($"context \"{context}\" is not in kubeconfig {string.Join(", ", files)}");
        }
        KubernetesClientConfiguration config;
        try
        {
            config = KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, context);
        }
        catch (Exception e)
        {
            throw new KubeconfigException($"context \"{context}\" cannot be used: {e.Message}", e);
        }
        config.HttpClientTimeout = RequestTimeout;
        var ns = string.IsNullOrEmpty(selection.Namespace) ? (string.IsNullOrEmpty(config.Namespace) ? "default" : config.Namespace) : selection.Namespace;
        var client = new Kubernetes(config, new CoreGroupPathHandler());
        return new ClusterConnection(new KubeClusterClient(client, config.Host), ns, context, config.Host);
    }

    /// <summary>kubectl's merge of several kubeconfig files: the first occurrence of every name wins.</summary>
    internal static k8s.KubeConfigModels.K8SConfiguration Merge(IReadOnlyList<k8s.KubeConfigModels.K8SConfiguration> configs)
    {
        if (configs.Count == 1) return configs[0];
        var merged = configs[0];
        merged.CurrentContext = configs.Select(c => c.CurrentContext).FirstOrDefault(c => !string.IsNullOrEmpty(c));
        merged.Clusters = configs.SelectMany(c => c.Clusters ?? []).DistinctBy(c => c.Name).ToList();
        merged.Contexts = configs.SelectMany(c => c.Contexts ?? []).DistinctBy(c => c.Name).ToList();
        merged.Users = configs.SelectMany(c => c.Users ?? []).DistinctBy(c => c.Name).ToList();
        return merged;
    }

    /// <summary>
    /// --kubeconfig (must exist), else every existing file of $KUBECONFIG (separated like PATH),
    /// else ~/.kube/config.
    /// </summary>
    public static IReadOnlyList<string> KubeconfigFiles(string? explicitPath, Func<string, string?> environment)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            if (!File.Exists(explicitPath)) throw new KubeconfigException($"kubeconfig {explicitPath} does not exist");
            return [explicitPath];
        }
        var fromEnv = environment("KUBECONFIG");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            var listed = fromEnv.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Distinct().Where(File.Exists).ToArray();
            if (listed.Length == 0) throw new KubeconfigException($"none of the files in KUBECONFIG ({fromEnv}) exists");
            return listed;
        }
        var home = environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var path = Path.Combine(home, ".kube", "config");
        if (!File.Exists(path)) throw new KubeconfigException($"no kubeconfig: {path} does not exist; set KUBECONFIG or pass --kubeconfig FILE");
        return [path];
    }
}
