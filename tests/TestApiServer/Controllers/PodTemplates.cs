namespace Admission.TestApiServer.Controllers;

/// <summary>What the Deployment and ReplicaSet controllers share: controller references and template hashes.</summary>
internal static class PodTemplates
{
    public const string HashLabel = "pod-template-hash";

    /// <summary>The controller reference an owner puts on what it creates (metav1.NewControllerRef).</summary>
    public static JsonObject ControllerRef(JsonObject owner, string apiVersion, string kind) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["name"] = Meta.Name(owner),
        ["uid"] = owner["metadata"]?["uid"]?.ToString(),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    /// <summary>True when <paramref name="item"/>'s controller reference names the object with <paramref name="ownerUid"/>.</summary>
    public static bool ControlledBy(JsonObject item, string? ownerUid) =>
        ownerUid is not null && ControllerOf(item) is { } reference && reference["uid"]?.ToString() == ownerUid;

    public static JsonObject? ControllerOf(JsonObject item) =>
        (item["metadata"]?["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(r => JsonValues.Boolean(r["controller"]) == true);

    public static bool Deleting(JsonObject item) => item["metadata"]?["deletionTimestamp"] is not null;

    public static long Replicas(JsonObject item) =>
        JsonValues.Integer(item["spec"]?["replicas"]) ?? 1;

    /// <summary>
    /// A stable hash of a pod template, in the alphabet of apimachinery's rand.SafeEncodeString, as
    /// controller.ComputeHash makes it (FNV-1a 32 of the template; kube hashes the Go struct, this
    /// the JSON, so the values differ from a cluster's but change exactly when the template does).
    /// </summary>
    public static string Hash(JsonNode? template)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(Text(Canonical(template))))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        var digits = hash.ToString(CultureInfo.InvariantCulture);
        return string.Concat(digits.Select(c => alphabet[c % alphabet.Length]));
    }

    /// <summary>The template with its pod-template-hash label removed, to compare a ReplicaSet's template with a Deployment's.</summary>
    public static JsonNode? WithoutHashLabel(JsonNode? template)
    {
        var copy = template?.DeepClone();
        (copy?["metadata"]?["labels"] as JsonObject)?.Remove(HashLabel);
        if (copy?["metadata"]?["labels"] is JsonObject { Count: 0 } labels)
        {
            ((JsonObject)copy["metadata"]!).Remove("labels");
        }

        return copy;
    }

    public static bool SameTemplate(JsonNode? a, JsonNode? b) =>
        Text(Canonical(WithoutHashLabel(a))) == Text(Canonical(WithoutHashLabel(b)));

    private static string Text(JsonNode? node) => node is null ? "null" : JsonValues.Serialize(node);

    /// <summary>Object keys sorted, so that equal templates serialize equally.</summary>
    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Canonical)]),
        null => null,
        _ => node.DeepClone(),
    };
}
