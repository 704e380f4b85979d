using System.Text.Json;
using System.Text.Json.Serialization;

namespace Admission.Operator.Webhook;

// admission.k8s.io/v1 as kube-apiserver sends and expects it. The Kubernetes client has no
// types for it, so these mirror k8s.io/api/admission/v1 field for field.

public sealed class AdmissionReview
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public AdmissionRequest? Request { get; set; }
    public AdmissionResponse? Response { get; set; }
}

public sealed class AdmissionRequest
{
    public string? Uid { get; set; }
    public GroupVersionKind? Kind { get; set; }
    public GroupVersionResource? Resource { get; set; }
    public string? SubResource { get; set; }
    public GroupVersionKind? RequestKind { get; set; }
    public GroupVersionResource? RequestResource { get; set; }
    public string? RequestSubResource { get; set; }
    public string? Name { get; set; }
    public string? Namespace { get; set; }
    public string? Operation { get; set; }
    public ReviewUserInfo? UserInfo { get; set; }
    public JsonElement? Object { get; set; }
    public JsonElement? OldObject { get; set; }
    public bool? DryRun { get; set; }
    public JsonElement? Options { get; set; }
}

public sealed class GroupVersionKind
{
    public string? Group { get; set; }
    public string? Version { get; set; }
    public string? Kind { get; set; }
}

public sealed class GroupVersionResource
{
    public string? Group { get; set; }
    public string? Version { get; set; }
    public string? Resource { get; set; }
}

public sealed class ReviewUserInfo
{
    public string? Username { get; set; }
    public string? Uid { get; set; }
    public List<string>? Groups { get; set; }
    public Dictionary<string, List<string>>? Extra { get; set; }
}

public sealed class AdmissionResponse
{
    public required string Uid { get; set; }
    public bool Allowed { get; set; }
    public ReviewStatus? Status { get; set; }
    public Dictionary<string, string>? AuditAnnotations { get; set; }
    public List<string>? Warnings { get; set; }
}

public sealed class ReviewStatus
{
    public string? Status { get; set; }
    public int Code { get; set; }
    public string? Reason { get; set; }
    public string? Message { get; set; }
    /// <summary>metav1.StatusDetails: kube-apiserver passes a webhook's status to the client whole.</summary>
    public ReviewStatusDetails? Details { get; set; }
}

public sealed class ReviewStatusDetails
{
    public List<ReviewStatusCause>? Causes { get; set; }
}

/// <summary>metav1.StatusCause: <c>reason</c> is a code clients act on, <c>field</c> the ChangeApproval it is about.</summary>
public sealed class ReviewStatusCause
{
    public string? Reason { get; set; }
    public string? Message { get; set; }
    public string? Field { get; set; }
}
