namespace Admission.TestApiServer.Http;

/// <summary>Pieces of admission attributes shared by the write endpoints.</summary>
internal static class Operations
{
    /// <summary>CreateOptions, UpdateOptions or DeleteOptions as the AdmissionReview carries them.</summary>
    public static JsonObject Options(string kind, ApiRequest request, JsonObject? from = null)
    {
        var options = from is null ? [] : (JsonObject)from.DeepClone();
        options["kind"] = kind;
        options["apiVersion"] = "meta.k8s.io/v1";
        if (request.Query("fieldManager") is { Length: > 0 } manager)
        {
            options["fieldManager"] = manager;
        }

        if (request.Query("fieldValidation") is { Length: > 0 } validation)
        {
            options["fieldValidation"] = validation;
        }

        if (request.DryRun)
        {
            options["dryRun"] = new JsonArray("All");
        }

        return options;
    }

    /// <summary>For a Namespace, kube-apiserver puts its own name in the request's namespace field.</summary>
    public static string AdmissionNamespace(ApiPath path, string name) =>
        path.Resource.GroupResource == "namespaces" ? name : path.Namespace ?? "";

    public static AdmissionAttributes Attributes(ApiRequest request, ApiPath path, ResourceDefinition resource, string operation,
        string name, JsonObject? obj, JsonObject? oldObj, JsonObject options) =>
        new(resource, path.Subresource, operation, AdmissionNamespace(path, name), name, obj, oldObj, request.DryRun, options, request.User);
}
