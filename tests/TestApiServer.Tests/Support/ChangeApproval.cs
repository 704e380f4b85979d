using System.Text.Json.Serialization;

namespace Admission.TestApiServer.Tests.Support;

/// <summary>A loosely typed ChangeApproval for GenericClient: spec and status stay JSON.</summary>
public sealed class ChangeApproval : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "approvals.admission.dev/v1alpha1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "ChangeApproval";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public JsonObject? Spec { get; set; }

    [JsonPropertyName("status")]
    public JsonObject? Status { get; set; }
}

public sealed class ChangeApprovalList : IKubernetesObject<V1ListMeta>, IItems<ChangeApproval>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "approvals.admission.dev/v1alpha1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "ChangeApprovalList";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<ChangeApproval> Items { get; set; } = [];
}
