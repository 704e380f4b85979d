using System.Text.Json;

namespace Admission.Policies;

/// <summary>
/// One request to decide, independent of where it came from: an AdmissionReview from
/// kube-apiserver or a manifest given to <c>admission check</c>.
/// </summary>
public sealed record AdmissionInput
{
    public required Operation Operation { get; init; }
    /// <summary>The API group of the resource (for a scale request, the workload's group).</summary>
    public required string Group { get; init; }
    /// <summary>The object's kind (for a scale request, <c>Scale</c>).</summary>
    public required string Kind { get; init; }
    /// <summary>The plural resource name, e.g. <c>deployments</c>.</summary>
    public required string Resource { get; init; }
    public string? SubResource { get; init; }
    public string Namespace { get; init; } = "";
    public string Name { get; init; } = "";
    public required UserInfo User { get; init; }
    public JsonElement? Object { get; init; }
    public JsonElement? OldObject { get; init; }
    public bool DryRun { get; init; }

    /// <summary>The object the change leaves behind, or for DELETE the one removed.</summary>
    public JsonElement? Subject => Operation == Operation.Delete ? OldObject ?? Object : Object ?? OldObject;
}
