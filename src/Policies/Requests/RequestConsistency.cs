using System.Text.Json;

namespace Admission.Policies;

/// <summary>
/// Contract 2.1: a request must say consistently what it writes. The resource decides what is
/// guarded; the kind, namespace and name the request states must agree with it and with the
/// objects, or the review is refused (400 at the webhook, a denial in the engine), never allowed.
/// </summary>
public static class RequestConsistency
{
    /// <summary>What is inconsistent, or null when nothing is.</summary>
    public static string? Problem(AdmissionInput request, AdmissionPolicy policy)
    {
        if (string.IsNullOrEmpty(request.User.Username))
        {
            return "userInfo.username is missing: every request kube-apiserver sends names its user";
        }
        var guarded = policy.GuardedResource(request.Group, request.Resource);
        var isApproval = request.Group == Model.ChangeApproval.Group && request.Resource == Model.ChangeApproval.Plural;
        var isNamespace = request.Group.Length == 0 && request.Resource == "namespaces";
        if (guarded is null && !isApproval && !isNamespace)
        {
            // A guarded kind must arrive as its own resource: a Deployment sent as something else is no unguarded write.
            // Nor is an unguarded write allowed when it says two things about what it writes.
            return request.SubResource is null && policy.GuardedKind(request.Group, request.Kind) is { } claimed
                ? $"kind is {claimed.Kind}, which is served as {claimed.Plural}, not as {AdmissionEngine.Describe(request)}"
                : ObjectProblem(request, request.Object, "object") ?? ObjectProblem(request, request.OldObject, "oldObject");
        }
        if (ExpectedKind(request, guarded, isApproval) is { } expected && request.Kind != expected)
        {
            return $"kind is \"{request.Kind}\" but {AdmissionEngine.Describe(request)} serves {expected}";
        }
        if (!isNamespace && request.Namespace.Length == 0)
        {
            return $"namespace is missing for the namespaced resource {AdmissionEngine.Describe(request)}";
        }
        // kube-apiserver gives a Namespace request its own name as namespace (or none).
        if (isNamespace && request.Namespace.Length > 0 && request.Namespace != request.Name)
        {
            return $"namespace is \"{request.Namespace}\" but a Namespace request names its own namespace, \"{request.Name}\"";
        }
        if (isNamespace && request.Operation == Operation.Update && request.OldObject is null)
        {
            return "a Namespace UPDATE carries no oldObject, so whether it stays Tier-1 cannot be decided";
        }
        return ObjectProblem(request, request.Object, "object") ?? ObjectProblem(request, request.OldObject, "oldObject");
    }

    private static string? ExpectedKind(AdmissionInput request, WorkloadKind? guarded, bool isApproval)
    {
        if (isApproval) return request.SubResource is null or "status" ? Model.ChangeApproval.KindName : null;
        if (guarded is null) return request.SubResource is null or "status" or "finalize" ? "Namespace" : null;
        return request.SubResource switch
        {
            null or "status" => guarded.Kind,
            "scale" => "Scale",
            "ephemeralcontainers" or "resize" when guarded.IsPod => "Pod",
            "eviction" when guarded.IsPod => "Eviction",
            "binding" when guarded.IsPod => "Binding",
            "exec" when guarded.IsPod => "PodExecOptions",
            "attach" when guarded.IsPod => "PodAttachOptions",
            "portforward" when guarded.IsPod => "PodPortForwardOptions",
            _ => null,
        };
    }

    /// <summary>An object's own kind, namespace and name must be the request's (for a subresource, its parent's).</summary>
    /// <remarks>
    /// Every review passes here, and nearly all agree: the values are compared where they lie in
    /// the parsed document (equal exactly when their strings are), and made strings of only for
    /// the words of a disagreement.
    /// </remarks>
    private static string? ObjectProblem(AdmissionInput request, JsonElement? obj, string field)
    {
        if (obj is not { } o) return null;
        if (o.ValueKind != JsonValueKind.Object) return $"{field} is not an object";
        if (o.TryGetProperty("kind"u8, out var kind) && kind.ValueKind == JsonValueKind.String && request.Kind.Length > 0 && !kind.ValueEquals(request.Kind))
        {
            return $"{field}.kind is \"{kind.GetString()}\" but the request says {request.Kind}";
        }
        if (!o.TryGetProperty("metadata"u8, out var meta) || meta.ValueKind == JsonValueKind.Null) return null;
        if (meta.ValueKind != JsonValueKind.Object) return $"{field}.metadata is a JSON {meta.ValueKind}, not an object";
        if (meta.TryGetProperty("name"u8, out var name) && Differs(name, request.Name))
        {
            return $"{field}.metadata.name is \"{name.GetString()}\" but the request names \"{request.Name}\"";
        }
        if (meta.TryGetProperty("namespace"u8, out var ns) && Differs(ns, request.Namespace))
        {
            return $"{field}.metadata.namespace is \"{ns.GetString()}\" but the request's namespace is \"{request.Namespace}\"";
        }
        return null;
    }

    /// <summary>A non-empty string that is not <paramref name="expected"/> (an empty one says nothing).</summary>
    private static bool Differs(JsonElement value, string expected) =>
        value.ValueKind == JsonValueKind.String && !value.ValueEquals(expected) && !value.ValueEquals(string.Empty);
}
