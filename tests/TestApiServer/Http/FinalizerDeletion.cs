namespace Admission.TestApiServer.Http;

/// <summary>
/// <c>metadata.finalizers</c> as kube-apiserver's generic registry store keeps them, for every type
/// but Namespaces (whose registry has its own rules, in <see cref="DeleteEndpoint"/> and
/// <see cref="UpdateStrategies"/>):
/// - a DELETE of an object with finalizers is admitted, then only marks it (deletionTimestamp,
///   deletionGracePeriodSeconds 0) and answers with it (store.go updateForGracefulDeletionAndFinalizers,
///   markAsDeleting); a DELETE of one already marked is admitted and changes nothing;
/// - while it is marked, deletionTimestamp and deletionGracePeriodSeconds stay as they are and no
///   finalizer can be added (ValidateObjectMetaUpdate, ValidateNoNewFinalizers: 422);
/// - the update that leaves a marked object without finalizers deletes it (ShouldDeleteDuringUpdate).
/// </summary>
internal static class FinalizerDeletion
{
    private static bool IsNamespace(ResourceDefinition resource) => resource is { Group: "", Plural: "namespaces" };

    public static IReadOnlyList<string> Finalizers(JsonObject obj) =>
        obj["metadata"]?["finalizers"] is JsonArray list ? [.. list.Select(f => f?.ToString() ?? "")] : [];

    public static bool BeingDeleted(JsonObject obj) => obj["metadata"]?["deletionTimestamp"] is not null;

    /// <summary>Whether a DELETE of <paramref name="current"/> only marks it, for its finalizers to be removed first.</summary>
    public static bool HoldsDeletion(ResourceDefinition resource, JsonObject current) =>
        !IsNamespace(resource) && Finalizers(current).Count > 0;

    /// <summary>The object marked for deletion; a deletionTimestamp already set stays.</summary>
    public static JsonObject Marked(JsonObject current)
    {
        var marked = (JsonObject)current.DeepClone();
        var metadata = Meta.Metadata(marked);
        metadata["deletionTimestamp"] ??= Meta.Now();
        metadata["deletionGracePeriodSeconds"] = 0;
        return marked;
    }

    /// <summary>Keeps the deletion marks of <paramref name="current"/> on an update, and refuses a finalizer added to a marked object.</summary>
    public static void CheckUpdate(ResourceDefinition resource, JsonObject current, JsonObject updated)
    {
        if (IsNamespace(resource)) return;
        var metadata = Meta.Metadata(updated);
        var currentMetadata = Meta.Metadata(current);
        foreach (var key in new[] { "deletionTimestamp", "deletionGracePeriodSeconds" })
        {
            if (currentMetadata[key] is { } value) metadata[key] = value.DeepClone();
            else metadata.Remove(key);
        }
        if (!BeingDeleted(current)) return;
        var old = Finalizers(current);
        var added = Finalizers(updated).Where(f => !old.Contains(f)).Distinct().Order(StringComparer.Ordinal).ToList();
        if (added.Count > 0)
        {
            throw StatusBodies.Invalid(resource, Meta.Name(current), "metadata.finalizers",
                $"Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{{{string.Join(", ", added.Select(f => $"\"{f}\""))}}}");
        }
    }

    /// <summary>An update that leaves a marked object without finalizers removes it.</summary>
    public static bool ShouldDeleteDuringUpdate(ResourceDefinition resource, JsonObject updated) =>
        !IsNamespace(resource) && BeingDeleted(updated) && Finalizers(updated).Count == 0;
}
