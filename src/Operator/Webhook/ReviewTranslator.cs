using Admission.Policies;

namespace Admission.Operator.Webhook;

/// <summary>From the wire shape to the engine's input; no decisions here.</summary>
public static class ReviewTranslator
{
    public const string ApiVersion = "admission.k8s.io/v1";

    /// <summary>Checks the envelope; a problem here is the caller's fault and answered with 400.</summary>
    public static string? EnvelopeProblem(AdmissionReview? review)
    {
        if (review is null) return "the body is not an AdmissionReview (it is JSON null)";
        if (review.Kind != "AdmissionReview") return $"kind must be AdmissionReview, not \"{review.Kind}\"";
        if (review.ApiVersion != ApiVersion) return $"apiVersion must be {ApiVersion}, not \"{review.ApiVersion}\" (set admissionReviewVersions: [v1])";
        if (review.Request is null) return "request is missing";
        if (string.IsNullOrEmpty(review.Request.Uid)) return "request.uid is missing";
        return null;
    }

    /// <summary>The engine input, or a problem with the request that is answered as an errored review.</summary>
    public static (AdmissionInput? Input, string? Problem) ToInput(AdmissionRequest r)
    {
        if (!Operations.TryParse(r.Operation, out var operation))
        {
            return (null, $"request.operation \"{r.Operation}\" is not CREATE, UPDATE, DELETE or CONNECT");
        }
        if (r.Resource?.Resource is not { Length: > 0 } resource)
        {
            return (null, "request.resource.resource is missing");
        }
        var user = r.UserInfo?.Username is { Length: > 0 } name
            ? new UserInfo(name, r.UserInfo.Groups ?? [])
            : new UserInfo("", r.UserInfo?.Groups ?? []);
        return (new AdmissionInput
        {
            Operation = operation,
            Group = r.Resource.Group ?? "",
            Kind = r.Kind?.Kind ?? "",
            Resource = resource,
            SubResource = string.IsNullOrEmpty(r.SubResource) ? null : r.SubResource,
            Namespace = r.Namespace ?? "",
            Name = string.IsNullOrEmpty(r.Name) ? MetadataName(r.Object) ?? MetadataName(r.OldObject) ?? "" : r.Name,
            User = user,
            Object = r.Object is { ValueKind: not System.Text.Json.JsonValueKind.Null } o ? o : null,
            OldObject = r.OldObject is { ValueKind: not System.Text.Json.JsonValueKind.Null } old ? old : null,
            DryRun = r.DryRun == true,
        }, null);
    }

    /// <summary>
    /// request.name may be empty on CREATE (some API server versions leave it out); the object
    /// then names itself. With generateName there is no name yet, and none is found here.
    /// </summary>
    private static string? MetadataName(System.Text.Json.JsonElement? obj) =>
        obj is { ValueKind: System.Text.Json.JsonValueKind.Object } o &&
        o.TryGetProperty("metadata", out var meta) && meta.ValueKind == System.Text.Json.JsonValueKind.Object &&
        meta.TryGetProperty("name", out var name) && name.ValueKind == System.Text.Json.JsonValueKind.String &&
        name.GetString() is { Length: > 0 } text ? text : null;
}
