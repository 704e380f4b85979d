using System.Text.Json.Serialization;

namespace Admission.TestApiServer.Tests.Support;

/// <summary>What every approvals.admission.dev/v1alpha1 object GenericClient reads or writes starts with: apiVersion, kind, metadata.</summary>
public abstract class ApprovalsObject<TMetadata>(string kind)
    where TMetadata : new()
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "approvals.admission.dev/v1alpha1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = kind;

    [JsonPropertyName("metadata")]
    public TMetadata Metadata { get; set; } = new();
}

/// <summary>A loosely typed ChangeApproval for GenericClient: spec and status stay JSON.</summary>
public sealed class ChangeApproval() : ApprovalsObject<V1ObjectMeta>("ChangeApproval"), IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("spec")]
    public JsonObject? Spec { get; set; }

    [JsonPropertyName("status")]
    public JsonObject? Status { get; set; }
}

public sealed class ChangeApprovalList() : ApprovalsObject<V1ListMeta>("ChangeApprovalList"), IKubernetesObject<V1ListMeta>, IItems<ChangeApproval>
{
    [JsonPropertyName("items")]
    public IList<ChangeApproval> Items { get; set; } = [];
}
