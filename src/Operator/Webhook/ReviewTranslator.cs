using System.Text.Json;
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

    /// <summary>
    /// The engine input, or what is wrong with the request (answered with 400, never decided):
    /// no username, an empty name where kube-apiserver always sends one, or a kind, namespace or
    /// name that disagrees with the resource or the objects (contract 2.1).
    /// </summary>
    public static (AdmissionInput? Input, string? Problem) ToInput(AdmissionRequest r, AdmissionPolicy policy)
    {
        if (!Operations.TryParse(r.Operation, out var operation))
        {
            return (null, $"request.operation \"{r.Operation}\" is not CREATE, UPDATE, DELETE or CONNECT");
        }
        if (r.Resource?.Resource is not { Length: > 0 } resource)
        {
            return (null, "request.resource.resource is missing");
        }
        if (r.UserInfo?.Username is not { Length: > 0 } username)
        {
            return (null, "request.userInfo.username is missing; kube-apiserver names the user of every request");
        }
        var obj = r.Object is { ValueKind: not JsonValueKind.Null } o ? o : (JsonElement?)null;
        var oldObj = r.OldObject is { ValueKind: not JsonValueKind.Null } old ? old : (JsonElement?)null;
        var name = r.Name ?? "";
        if (name.Length == 0)
        {
            // kube-apiserver leaves the name out only for a generateName CREATE and for each item of
            // a deletecollection; then the object names itself (a generateName object may not yet).
            name = operation switch
            {
                Operation.Create => MetadataName(obj) ?? "",
                Operation.Delete => MetadataName(oldObj) ?? MetadataName(obj) ?? "",
                _ => null!,
            };
            if (name is null)
            {
                return (null, $"request.name is missing on {operation.ToWire()}; only a CREATE (generateName) or a DELETE (deletecollection) may leave it out");
            }
        }
        var input = new AdmissionInput
        {
            Operation = operation,
            Group = r.Resource.Group ?? "",
            Kind = r.Kind?.Kind ?? "",
            Resource = resource,
            SubResource = string.IsNullOrEmpty(r.SubResource) ? null : r.SubResource,
            Namespace = r.Namespace ?? "",
            Name = name,
            User = new UserInfo(username, r.UserInfo.Groups ?? []),
            Object = obj,
            OldObject = oldObj,
            DryRun = r.DryRun == true,
        };
        return RequestConsistency.Problem(input, policy) is { } problem ? (null, "request " + problem) : (input, null);
    }

    private static string? MetadataName(JsonElement? obj) =>
        obj is { ValueKind: JsonValueKind.Object } o &&
        o.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object &&
        meta.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String &&
        name.GetString() is { Length: > 0 } text ? text : null;
}
