namespace Admission.Chart.Tests.Infrastructure;

/// <summary>
/// What every object has, for the models of kinds KubernetesClient has no model for (cert-manager's,
/// the Prometheus Operator's): each gives only its spec.
/// </summary>
internal abstract class ObjectModel<TSpec>
    where TSpec : class
{
    [JsonPropertyName("apiVersion")] public string? ApiVersion { get; set; }
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    [JsonPropertyName("metadata")] public V1ObjectMeta? Metadata { get; set; }
    [JsonPropertyName("spec")] public TSpec? Spec { get; set; }
}
