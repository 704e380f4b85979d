using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using System.Text.Json.Nodes;
using Admission.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Admission.Plugin.Kube;

/// <summary>The real cluster, through KubernetesClient. Only translation here: no decisions.</summary>
public sealed class KubeClusterClient(k8s.Kubernetes client, string server) : IClusterClient
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
        catch (KubernetesApiException e) when (e.IsNotFoundObject(name))
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
        return new WriteResult(response.Body, WarningHeaders.Of(response.Response));
    }

    public async Task<WriteResult> ReplaceAsync(ApiResource resource, string ns, string name, JsonObject body, CancellationToken cancellationToken)
    {
        using var response = await Call(() => client.CustomObjects.ReplaceNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(
            body, resource.Group, resource.Version, ns, resource.Plural, name, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        return new WriteResult(response.Body, WarningHeaders.Of(response.Response));
    }

    public async Task<WriteResult> DryRunAsync(ApiResource resource, string ns, string? name, JsonObject body, CancellationToken cancellationToken)
    {
        using var response = name is null
            ? await Call(() => client.CustomObjects.CreateNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(
                body, resource.Group, resource.Version, ns, resource.Plural, dryRun: "All", cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false)
            : await Call(() => client.CustomObjects.ReplaceNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(
                body, resource.Group, resource.Version, ns, resource.Plural, name, dryRun: "All", cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        return new WriteResult(response.Body, WarningHeaders.Of(response.Response));
    }

    public void Dispose() => client.Dispose();

    private async Task<T> Call<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            throw ApiError.From(e);
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
}

/// <summary>Resolves kubeconfig files, context and namespace the way kubectl does.</summary>
public sealed class KubeConnector(Func<string, string?> environment) : IClusterConnector
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public ClusterConnection Connect(KubeSelection selection)
    {
        var (config, context) = KubeconfigFiles.Load(KubeconfigFiles.Resolve(selection.Kubeconfig, environment), selection.Context);
        config.HttpClientTimeout = RequestTimeout;
        var ns = string.IsNullOrEmpty(selection.Namespace) ? (string.IsNullOrEmpty(config.Namespace) ? "default" : config.Namespace) : selection.Namespace;
        var client = ClientSetup.Create(config, coreGroupPaths: true);
        return new ClusterConnection(new KubeClusterClient(client, config.Host), ns, context, config.Host);
    }
}
