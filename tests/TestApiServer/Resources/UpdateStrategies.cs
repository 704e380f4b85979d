namespace Admission.TestApiServer.Resources;

/// <summary>
/// What each registry strategy's PrepareForUpdate takes from the stored object, per type and
/// subresource, checked against pkg/registry/core/namespace/strategy.go and
/// pkg/registry/apps/deployment/strategy.go:
/// <list type="bullet">
/// <item>namespaces: the main resource keeps spec.finalizers and status; <c>/status</c> keeps spec
///   (labels and annotations do change); <c>/finalize</c> keeps status (spec.finalizers, labels and
///   annotations change).</item>
/// <item>deployments: the main resource keeps status and bumps generation when spec or annotations
///   change; <c>/status</c> keeps spec and labels (annotations do change).</item>
/// <item>everything else with a status subresource (custom resources, statefulsets, daemonsets):
///   <c>/status</c> changes status only, as the apiextensions status strategy does.</item>
/// </list>
/// </summary>
internal static class UpdateStrategies
{
    private static readonly string[] SystemMetadata = ["uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds"];

    public static bool IsNamespace(ResourceDefinition resource) => resource.GroupResource == "namespaces";

    private static bool IsDeployment(ResourceDefinition resource) => resource.GroupResource == "deployments.apps";

    /// <summary>The object to store for a write to <c>/status</c> or <c>/finalize</c>.</summary>
    public static JsonObject ForSubresource(ResourceDefinition resource, string subresource, JsonObject current, JsonObject desired)
    {
        if (IsNamespace(resource))
        {
            var result = WithSystemMetadata(current, desired);
            CopyPart(current, result, subresource == "finalize" ? "status" : "spec");
            DefaultNamespace(result);
            if (subresource == "status")
            {
                CheckNamespacePhase(resource, result);
            }

            return result;
        }

        if (IsDeployment(resource) && subresource == "status")
        {
            var result = WithSystemMetadata(current, desired);
            CopyPart(current, result, "spec");
            var labels = current["metadata"]?["labels"];
            var metadata = Meta.Metadata(result);
            metadata.Remove("labels");
            if (labels is not null)
            {
                metadata["labels"] = labels.DeepClone();
            }

            return result;
        }

        // Status only: everything else comes from the stored object.
        var kept = (JsonObject)current.DeepClone();
        CopyPart(desired, kept, "status");
        return kept;
    }

    /// <summary>Fields of the main resource an update cannot change beyond system metadata and status.</summary>
    public static void KeepOnMainUpdate(ResourceDefinition resource, JsonObject current, JsonObject updated)
    {
        if (!IsNamespace(resource))
        {
            return;
        }

        var finalizers = current["spec"]?["finalizers"];
        if (updated["spec"] is not JsonObject spec)
        {
            spec = [];
            updated["spec"] = spec;
        }

        spec.Remove("finalizers");
        if (finalizers is not null)
        {
            spec["finalizers"] = finalizers.DeepClone();
        }
    }

    /// <summary>Whether an update to the main resource bumps metadata.generation.</summary>
    public static bool BumpsGeneration(ResourceDefinition resource, JsonObject current, JsonObject updated)
    {
        if (!resource.TracksGeneration)
        {
            return false;
        }

        if (IsDeployment(resource))
        {
            // Annotations count too: the deployment controller copies them to ReplicaSets.
            return !JsonNode.DeepEquals(current["spec"], updated["spec"])
                || !JsonNode.DeepEquals(current["metadata"]?["annotations"], updated["metadata"]?["annotations"]);
        }

        var keys = current.Select(p => p.Key).Concat(updated.Select(p => p.Key))
            .Where(k => k is not ("metadata" or "status" or "apiVersion" or "kind")).Distinct();
        return !keys.All(k => JsonNode.DeepEquals(current[k], updated[k]));
    }

    /// <summary>
    /// The namespace registry's ShouldDeleteNamespaceDuringUpdate: an update that leaves a namespace
    /// being deleted with no spec.finalizers and no metadata.finalizers removes it.
    /// </summary>
    public static bool ShouldDeleteDuringUpdate(ResourceDefinition resource, JsonObject updated) =>
        IsNamespace(resource)
        && updated["metadata"]?["deletionTimestamp"] is not null
        && (updated["spec"]?["finalizers"] as JsonArray ?? []).Count == 0
        && (updated["metadata"]?["finalizers"] as JsonArray ?? []).Count == 0;

    /// <summary>
    /// SetDefaults_Namespace and SetDefaults_NamespaceStatus, which run on every write: the name label
    /// and an empty phase as Active. (spec.finalizers is filled only on create, by PrepareForCreate.)
    /// </summary>
    private static void DefaultNamespace(JsonObject ns)
    {
        var metadata = Meta.Metadata(ns);
        if (metadata["labels"] is not JsonObject labels)
        {
            labels = [];
            metadata["labels"] = labels;
        }

        labels["kubernetes.io/metadata.name"] = Meta.Name(ns);
        if (ns["status"] is not JsonObject status)
        {
            status = [];
            ns["status"] = status;
        }

        if (status["phase"]?.ToString() is null or "")
        {
            status["phase"] = "Active";
        }
    }

    /// <summary>ValidateNamespaceStatusUpdate: the phase follows deletionTimestamp.</summary>
    private static void CheckNamespacePhase(ResourceDefinition resource, JsonObject ns)
    {
        var phase = ns["status"]?["phase"]?.ToString() ?? "";
        var deleting = ns["metadata"]?["deletionTimestamp"] is not null;
        if (!deleting && phase != "Active")
        {
            throw StatusBodies.Invalid(resource, Meta.Name(ns), "status.phase",
                $"Invalid value: \"{phase}\": may only be 'Active' if `deletionTimestamp` is empty");
        }

        if (deleting && phase != "Terminating")
        {
            throw StatusBodies.Invalid(resource, Meta.Name(ns), "status.phase",
                $"Invalid value: \"{phase}\": may only be 'Terminating' if `deletionTimestamp` is not empty");
        }
    }

    private static JsonObject WithSystemMetadata(JsonObject current, JsonObject desired)
    {
        var result = (JsonObject)desired.DeepClone();
        var metadata = Meta.Metadata(result);
        var currentMetadata = Meta.Metadata(current);
        foreach (var key in SystemMetadata)
        {
            metadata.Remove(key);
            if (currentMetadata[key] is { } value)
            {
                metadata[key] = value.DeepClone();
            }
        }

        metadata.Remove("managedFields");
        return result;
    }

    private static void CopyPart(JsonObject from, JsonObject to, string key)
    {
        to.Remove(key);
        if (from[key] is { } value)
        {
            to[key] = value.DeepClone();
        }
    }
}
