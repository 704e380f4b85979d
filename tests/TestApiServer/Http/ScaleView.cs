namespace Admission.TestApiServer.Http;

/// <summary>The autoscaling/v1 Scale that the scale subresource shows of a workload.</summary>
internal static class ScaleView
{
    public static JsonObject From(JsonObject workload)
    {
        var metadata = workload["metadata"] as JsonObject ?? [];
        var scaleMetadata = new JsonObject();
        foreach (var key in new[] { "name", "namespace", "uid", "resourceVersion", "creationTimestamp" })
        {
            if (metadata[key] is { } value)
            {
                scaleMetadata[key] = value.DeepClone();
            }
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = scaleMetadata,
            ["spec"] = new JsonObject { ["replicas"] = workload["spec"]?["replicas"]?.DeepClone() ?? 1 },
            ["status"] = new JsonObject
            {
                ["replicas"] = workload["status"]?["replicas"]?.DeepClone() ?? 0,
                ["selector"] = Selector(workload["spec"]?["selector"]?["matchLabels"] as JsonObject),
            },
        };
    }

    /// <summary>The workload with the Scale's replica count.</summary>
    public static JsonObject ApplyTo(ResourceDefinition resource, JsonObject workload, JsonObject scale)
    {
        if (JsonValues.Integer(scale["spec"]?["replicas"]) is not { } count)
        {
            throw StatusBodies.Invalid(resource, Meta.Name(workload), "spec.replicas", "Required value");
        }

        if (count < 0)
        {
            throw StatusBodies.Invalid(resource, Meta.Name(workload), "spec.replicas",
                $"Invalid value: {count}: must be greater than or equal to 0");
        }

        var updated = (JsonObject)workload.DeepClone();
        Defaulting.Child(updated, "spec")["replicas"] = count;
        return updated;
    }

    private static string Selector(JsonObject? matchLabels) =>
        matchLabels is null ? "" : string.Join(",", matchLabels.Select(p => $"{p.Key}={p.Value}"));
}
