using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Admission.Kubernetes;
using Admission.Policies.Model;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Admission.Operator.Cluster;

/// <summary>The status subresource write was refused because the object changed since it was read (409).</summary>
internal sealed class ConflictException(string message) : Exception(message);

/// <summary>What the status operator writes to the API server. Tests record these calls.</summary>
internal interface IStatusClient
{
    /// <summary>The ChangeApproval as the API server has it now; null when it is gone.</summary>
    Task<CachedApproval?> GetAsync(string ns, string name, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the status of <paramref name="approval"/>, at its resourceVersion, through the
    /// status subresource. Throws <see cref="ConflictException"/> when that version is no longer
    /// current; returns null when the object is gone.
    /// </summary>
    Task<CachedApproval?> ReplaceStatusAsync(CachedApproval approval, JsonObject status, CancellationToken cancellationToken);

    /// <summary>Records a core/v1 Event about the ChangeApproval.</summary>
    Task EmitEventAsync(CachedApproval approval, string reason, string message, CancellationToken cancellationToken);
}

internal sealed class KubernetesStatusClient(IKubernetes client, ClusterSettings settings, TimeProvider clock) : IStatusClient
{
    public async Task<CachedApproval?> GetAsync(string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.CustomObjects.GetNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(
                ChangeApproval.Group, ChangeApproval.Version, ns, ChangeApproval.Plural, name, cancellationToken: cancellationToken).ConfigureAwait(false);
            return CachedApproval.From(response.Body);
        }
        catch (HttpOperationException e) when (ApiError.From(e).IsNotFound)
        {
            return null;
        }
    }

    public async Task<CachedApproval?> ReplaceStatusAsync(CachedApproval approval, JsonObject status, CancellationToken cancellationToken)
    {
        var body = JsonNode.Parse(approval.Raw.GetRawText())!.AsObject();
        body["status"] = status;
        try
        {
            using var response = await client.CustomObjects.ReplaceNamespacedCustomObjectStatusWithHttpMessagesAsync<JsonElement>(
                body, ChangeApproval.Group, ChangeApproval.Version, approval.Namespace, ChangeApproval.Plural, approval.Name,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return CachedApproval.From(response.Body);
        }
        catch (HttpOperationException e) when (ApiError.From(e).IsConflict)
        {
            throw new ConflictException(e.Response.Content ?? "409 Conflict");
        }
        catch (HttpOperationException e) when (ApiError.From(e).IsNotFound)
        {
            return null;
        }
    }

    public async Task EmitEventAsync(CachedApproval approval, string reason, string message, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var ev = new Corev1Event
        {
            Metadata = new V1ObjectMeta
            {
                Name = $"{approval.Name}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}",
                NamespaceProperty = approval.Namespace,
            },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = ChangeApproval.ApiVersion,
                Kind = ChangeApproval.KindName,
                Name = approval.Name,
                NamespaceProperty = approval.Namespace,
                Uid = approval.Uid,
                ResourceVersion = approval.ResourceVersion,
            },
            Reason = reason,
            Message = message,
            Type = "Normal",
            Source = new V1EventSource { Component = "admission" },
            ReportingComponent = "admission",
            ReportingInstance = settings.Identity,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        using var _ = await client.CoreV1.CreateNamespacedEventWithHttpMessagesAsync(ev, approval.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
