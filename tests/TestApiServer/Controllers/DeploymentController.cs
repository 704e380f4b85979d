namespace Admission.TestApiServer.Controllers;

/// <summary>
/// kube-controller-manager's Deployment controller (pkg/controller/deployment), reduced to what
/// decides which objects are written and by whom, as
/// <c>system:serviceaccount:kube-system:deployment-controller</c> through admission: the ReplicaSet
/// whose template equals the Deployment's (ignoring <c>pod-template-hash</c>) is the new one; if
/// there is none it is created, named <c>NAME-HASH</c>, with the hash label on its selector and
/// template, a controller reference and the <c>deployment.kubernetes.io/revision</c> annotation;
/// the new one is scaled to <c>spec.replicas</c> and every older one it controls to 0 at once (no
/// rolling surge, since Pods never become ready here); then <c>status.observedGeneration</c>,
/// <c>replicas</c> and <c>updatedReplicas</c> are written through <c>/status</c>.
/// </summary>
internal sealed class DeploymentController : OwnerController
{
    private const string RevisionAnnotation = "deployment.kubernetes.io/revision";

    public DeploymentController(ServerState state)
        : base(state, "deployment-controller", "Deployment", "deployments", ("apps", "replicasets"))
    {
    }

    protected override async Task<bool> SyncAsync(JsonObject deployment, (string Namespace, string Name) key, CancellationToken cancellationToken)
    {
        var uid = deployment["metadata"]?["uid"]?.ToString();
        var owned = State.Store.List(Owned, key.Namespace).Items.Where(rs => PodTemplates.ControlledBy(rs, uid)).ToList();
        var template = deployment["spec"]?["template"];
        var current = owned.FirstOrDefault(rs => PodTemplates.SameTemplate(rs["spec"]?["template"], template));
        var replicas = PodTemplates.Replicas(deployment);
        if (current is null)
        {
            var revision = owned.Select(rs => long.TryParse(rs["metadata"]?["annotations"]?[RevisionAnnotation]?.ToString(), CultureInfo.InvariantCulture, out var r) ? r : 0)
                .DefaultIfEmpty(0).Max() + 1;
            if (await Client.CreateAsync(Owned, NewReplicaSet(deployment, replicas, revision), cancellationToken) is not null)
            {
                return false;
            }
        }
        else if (PodTemplates.Replicas(current) != replicas && !await ScaleAsync(current, replicas, cancellationToken))
        {
            return false;
        }

        foreach (var old in owned.Where(rs => rs != current && PodTemplates.Replicas(rs) != 0))
        {
            if (!await ScaleAsync(old, 0, cancellationToken))
            {
                return false;
            }
        }

        return await WriteStatusAsync(key, cancellationToken);
    }

    private async Task<bool> ScaleAsync(JsonObject rs, long replicas, CancellationToken cancellationToken)
    {
        var desired = (JsonObject)rs.DeepClone();
        desired["spec"]!["replicas"] = replicas;
        return await Client.UpdateAsync(Owned, "", rs, desired, cancellationToken) is null;
    }

    private async Task<bool> WriteStatusAsync((string Namespace, string Name) key, CancellationToken cancellationToken)
    {
        var deployment = State.Store.Get(Owners, key.Namespace, key.Name);
        if (deployment is null)
        {
            return true;
        }

        var uid = deployment["metadata"]?["uid"]?.ToString();
        var owned = State.Store.List(Owned, key.Namespace).Items.Where(rs => PodTemplates.ControlledBy(rs, uid)).ToList();
        var updated = owned.Where(rs => PodTemplates.SameTemplate(rs["spec"]?["template"], deployment["spec"]?["template"]))
            .Sum(rs => JsonValues.Integer(rs["status"]?["replicas"]) ?? 0);
        var total = owned.Sum(rs => JsonValues.Integer(rs["status"]?["replicas"]) ?? 0);
        var generation = Meta.Generation(deployment);
        var status = deployment["status"] as JsonObject;
        if (JsonValues.Integer(status?["observedGeneration"]) == generation && JsonValues.Integer(status?["replicas"]) == total
            && JsonValues.Integer(status?["updatedReplicas"]) == updated)
        {
            return true;
        }

        var desired = (JsonObject)deployment.DeepClone();
        var next = status?.DeepClone() as JsonObject ?? new JsonObject();
        next["observedGeneration"] = generation;
        next["replicas"] = total;
        next["updatedReplicas"] = updated;
        desired["status"] = next;
        return await Client.UpdateAsync(Owners, "status", deployment, desired, cancellationToken) is null;
    }

    private static JsonObject NewReplicaSet(JsonObject deployment, long replicas, long revision)
    {
        var template = deployment["spec"]?["template"]?.DeepClone() as JsonObject ?? new JsonObject();
        var hash = PodTemplates.Hash(template);
        var templateMetadata = template["metadata"] as JsonObject ?? new JsonObject();
        template["metadata"] = templateMetadata;
        var labels = templateMetadata["labels"] as JsonObject ?? new JsonObject();
        templateMetadata["labels"] = labels;
        labels[PodTemplates.HashLabel] = hash;

        var selector = deployment["spec"]?["selector"]?.DeepClone() as JsonObject ?? new JsonObject();
        var matchLabels = selector["matchLabels"] as JsonObject ?? new JsonObject();
        selector["matchLabels"] = matchLabels;
        matchLabels[PodTemplates.HashLabel] = hash;

        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ReplicaSet",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{Meta.Name(deployment)}-{hash}",
                ["namespace"] = Meta.Namespace(deployment),
                ["labels"] = labels.DeepClone(),
                ["annotations"] = new JsonObject { [RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture) },
                ["ownerReferences"] = new JsonArray(PodTemplates.ControllerRef(deployment, "apps/v1", "Deployment")),
            },
            ["spec"] = new JsonObject { ["replicas"] = replicas, ["selector"] = selector, ["template"] = template },
        };
    }
}
