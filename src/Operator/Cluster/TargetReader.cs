using System.Text.Json;
using Admission.Kubernetes;
using Admission.Policies;
using Admission.Policies.Model;
using k8s;
using k8s.Autorest;

namespace Admission.Operator.Cluster;

/// <summary>Reads the workload a ChangeApproval targets, as stored, so the operator can see whether the approved change is live.</summary>
internal interface ITargetReader
{
    /// <summary>The target as the API server stores it now; null when there is none (or its kind is not served).</summary>
    Task<JsonElement?> GetAsync(string ns, ApprovalTarget target, string version, CancellationToken cancellationToken);
}

internal static class TargetVersions
{
    /// <summary>
    /// The API version to read a target at: the built-in workload groups serve v1; another group
    /// is read at the version of the recorded manifest, the only place an approval names one.
    /// </summary>
    public static string? For(ChangeApproval approval)
    {
        var group = approval.Target.ApiGroup;
        if (group is "" or "apps" or "batch") return "v1";
        if (approval.Change?.Manifest is { ValueKind: JsonValueKind.Object } manifest &&
            manifest.TryGetProperty("apiVersion", out var av) && av.ValueKind == JsonValueKind.String &&
            av.GetString() is { } apiVersion && apiVersion.StartsWith(group + "/", StringComparison.Ordinal))
        {
            return apiVersion[(group.Length + 1)..];
        }
        return null;
    }
}

internal sealed class KubernetesTargetReader(k8s.Kubernetes client) : ITargetReader, IDisposable
{
    public void Dispose() => client.Dispose();

    public async Task<JsonElement?> GetAsync(string ns, ApprovalTarget target, string version, CancellationToken cancellationToken)
    {
        var plural = new WorkloadKind(target.ApiGroup, target.Kind).Plural;
        try
        {
            // The custom-object call reads any group raw, so the digest is taken of exactly what is stored;
            // CoreGroupPathHandler maps the core group's /apis//v1 to /api/v1.
            using var response = await client.CustomObjects.GetNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(
                target.ApiGroup, version, ns, plural, target.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.Body.Clone();
        }
        catch (HttpOperationException e) when (ApiError.From(e).IsNotFound)
        {
            return null;
        }
    }
}
