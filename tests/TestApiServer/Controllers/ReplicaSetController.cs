namespace Admission.TestApiServer.Controllers;

/// <summary>
/// kube-controller-manager's ReplicaSet controller (pkg/controller/replicaset/replica_set.go), as
/// <c>system:serviceaccount:kube-system:replicaset-controller</c>: for each ReplicaSet, Pods it
/// controls (controller reference, not being deleted) are counted; missing ones are created from
/// its template with <c>generateName: NAME-</c> and a controller reference, extra ones deleted,
/// each through admission; <c>status.replicas</c> and <c>observedGeneration</c> are written
/// through <c>/status</c>. A refused write is retried with the controller's backoff. Pods never
/// become ready (no kubelet), so readyReplicas and availableReplicas stay 0.
/// </summary>
internal sealed class ReplicaSetController : OwnerController
{
    public ReplicaSetController(ServerState state)
        : base(state, "replicaset-controller", "ReplicaSet", "replicasets", ("", "pods"))
    {
    }

    protected override async Task<bool> SyncAsync(JsonObject rs, (string Namespace, string Name) key, CancellationToken cancellationToken)
    {
        var uid = rs["metadata"]?["uid"]?.ToString();
        var pods = State.Store.List(Owned, key.Namespace).Items
            .Where(p => PodTemplates.ControlledBy(p, uid) && !PodTemplates.Deleting(p)).ToList();
        var want = PodTemplates.Replicas(rs);
        for (var i = pods.Count; i < want; i++)
        {
            if (await Client.CreateAsync(Owned, NewPod(rs), cancellationToken) is not null)
            {
                return false;
            }
        }

        // Newest first, as the controller prefers to delete the pods that have run the least.
        foreach (var extra in pods.OrderByDescending(Meta.ResourceVersion).Take(Math.Max(0, pods.Count - (int)want)))
        {
            var options = ControllerClient.DeleteOptions("Background", extra["metadata"]?["uid"]?.ToString());
            if (await Client.DeleteAsync(Owned, extra, Meta.Name(extra), options, cancellationToken) is not null)
            {
                return false;
            }
        }

        return await WriteStatusAsync(key, want, cancellationToken);
    }

    private async Task<bool> WriteStatusAsync((string Namespace, string Name) key, long replicas, CancellationToken cancellationToken)
    {
        var current = State.Store.Get(Owners, key.Namespace, key.Name);
        if (current is null)
        {
            return true;
        }

        var generation = Meta.Generation(current);
        if (JsonValues.Integer(current["status"]?["replicas"]) == replicas && JsonValues.Integer(current["status"]?["observedGeneration"]) == generation)
        {
            return true;
        }

        var desired = (JsonObject)current.DeepClone();
        desired["status"] = new JsonObject { ["replicas"] = replicas, ["observedGeneration"] = generation };
        return await Client.UpdateAsync(Owners, "status", current, desired, cancellationToken) is null;
    }

    private static JsonObject NewPod(JsonObject rs)
    {
        var template = rs["spec"]?["template"] as JsonObject ?? new JsonObject();
        var metadata = (template["metadata"] as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject();
        metadata.Remove("name");
        metadata["generateName"] = Meta.Name(rs) + "-";
        metadata["namespace"] = Meta.Namespace(rs);
        metadata["ownerReferences"] = new JsonArray(PodTemplates.ControllerRef(rs, "apps/v1", "ReplicaSet"));
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
        };
    }
}
