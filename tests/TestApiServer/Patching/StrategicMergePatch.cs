namespace Admission.TestApiServer.Patching;

/// <summary>
/// A subset of strategic merge patch, enough for what kubectl apply, edit and scale send for the
/// built-in workload types. kube-apiserver takes merge keys from each Go type; this takes them from a
/// fixed table keyed by field name (containers by name, ports by containerPort, ...). Lists without a
/// key are replaced, as SMP does for atomic lists. Directives handled: $patch (replace, delete, merge),
/// $retainKeys, $setElementOrder/FIELD, $deleteFromPrimitiveList/FIELD.
/// </summary>
internal static class StrategicMergePatch
{
    // Each keyed list by its merge key (the patchMergeKey of its Go field).
    private static readonly Dictionary<string, string> MergeKeys = ByMergeKey(
        ("name", ["containers", "initContainers", "ephemeralContainers", "volumes", "env", "imagePullSecrets", "resourceClaims"]),
        ("mountPath", ["volumeMounts"]),
        ("devicePath", ["volumeDevices"]),
        ("containerPort", ["ports"]),
        ("ip", ["hostAliases"]),
        ("type", ["conditions"]),
        ("uid", ["ownerReferences"]),
        ("topologyKey", ["topologySpreadConstraints"]));

    private static Dictionary<string, string> ByMergeKey(params (string Key, string[] Fields)[] groups) =>
        groups.SelectMany(g => g.Fields.Select(field => (field, g.Key))).ToDictionary(p => p.field, p => p.Key, StringComparer.Ordinal);

    // Lists of scalars that SMP merges as sets instead of replacing.
    private static readonly HashSet<string> MergedScalarLists = new(StringComparer.Ordinal) { "finalizers" };

    private const string SetElementOrder = "$setElementOrder/";
    private const string DeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

    public static JsonObject Apply(JsonObject original, JsonObject patch) => MergeMap(original, patch) ?? [];

    private static JsonObject? MergeMap(JsonObject? original, JsonObject patch)
    {
        switch (patch["$patch"]?.ToString())
        {
            case "delete":
                return null;
            case "replace":
                return StripDirectives(patch);
        }

        var result = original is null ? [] : (JsonObject)original.DeepClone();
        foreach (var (key, value) in patch)
        {
            if (key is "$patch" or "$retainKeys" || key.StartsWith(SetElementOrder, StringComparison.Ordinal))
            {
                continue;
            }

            if (key.StartsWith(DeleteFromPrimitiveList, StringComparison.Ordinal))
            {
                var field = key[DeleteFromPrimitiveList.Length..];
                if (result[field] is JsonArray list && value is JsonArray doomed)
                {
                    result[field] = new JsonArray(list.Where(i => !doomed.Any(d => JsonNode.DeepEquals(d, i))).Select(i => i?.DeepClone()).ToArray());
                }

                continue;
            }

            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            JsonNode? merged = value switch
            {
                JsonObject patchMap => MergeMap(result[key] as JsonObject, patchMap),
                JsonArray patchList => MergeList(key, result[key] as JsonArray, patchList),
                _ => value.DeepClone(),
            };
            if (merged is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = merged;
            }
        }

        foreach (var (key, order) in patch.Where(p => p.Key.StartsWith(SetElementOrder, StringComparison.Ordinal)))
        {
            var field = key[SetElementOrder.Length..];
            if (result[field] is JsonArray list && order is JsonArray orderList)
            {
                result[field] = Reorder(field, list, orderList);
            }
        }

        if (patch["$retainKeys"] is JsonArray retain)
        {
            var keep = retain.Select(k => k?.ToString()).ToHashSet(StringComparer.Ordinal);
            foreach (var key in result.Select(p => p.Key).Where(k => !keep.Contains(k)).ToList())
            {
                result.Remove(key);
            }
        }

        return result;
    }

    private static JsonArray MergeList(string field, JsonArray? original, JsonArray patch)
    {
        if (patch.Any(i => i is JsonObject o && o["$patch"]?.ToString() == "replace"))
        {
            return new JsonArray(patch.Where(i => !(i is JsonObject o && o["$patch"] is not null)).Select(i => (JsonNode?)StripDirectives(i)).ToArray());
        }

        if (MergedScalarLists.Contains(field))
        {
            var union = original is null ? new JsonArray() : (JsonArray)original.DeepClone();
            foreach (var item in patch.Where(i => !union.Any(u => JsonNode.DeepEquals(u, i))))
            {
                union.Add(item?.DeepClone());
            }

            return union;
        }

        if (!MergeKeys.TryGetValue(field, out var mergeKey) || !patch.All(i => i is JsonObject))
        {
            return (JsonArray)StripDirectives(patch)!;
        }

        var result = original is null ? new JsonArray() : (JsonArray)original.DeepClone();
        foreach (var item in patch.OfType<JsonObject>())
        {
            var keyValue = item[mergeKey];
            var index = IndexOf(result, mergeKey, keyValue);
            if (item["$patch"]?.ToString() == "delete")
            {
                if (index >= 0)
                {
                    result.RemoveAt(index);
                }

                continue;
            }

            if (index >= 0)
            {
                result[index] = MergeMap(result[index] as JsonObject, item);
            }
            else
            {
                result.Add(MergeMap(null, item));
            }
        }

        return result;
    }

    private static JsonArray Reorder(string field, JsonArray list, JsonArray order)
    {
        var remaining = list.Select(i => i?.DeepClone()).ToList();
        var ordered = new List<JsonNode?>();
        MergeKeys.TryGetValue(field, out var mergeKey);
        foreach (var wanted in order)
        {
            var at = remaining.FindIndex(i => mergeKey is not null && wanted is JsonObject w
                ? i is JsonObject o && JsonNode.DeepEquals(o[mergeKey], w[mergeKey])
                : JsonNode.DeepEquals(i, wanted));
            if (at >= 0)
            {
                ordered.Add(remaining[at]);
                remaining.RemoveAt(at);
            }
        }

        return new JsonArray([.. ordered, .. remaining]);
    }

    private static int IndexOf(JsonArray list, string mergeKey, JsonNode? keyValue)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is JsonObject o && JsonNode.DeepEquals(o[mergeKey], keyValue))
            {
                return i;
            }
        }

        return -1;
    }

    private static JsonNode? StripDirectives(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Where(p => !p.Key.StartsWith('$'))
            .Select(p => KeyValuePair.Create(p.Key, StripDirectives(p.Value)))),
        JsonArray a => new JsonArray(a.Select(StripDirectives).ToArray()),
        _ => node?.DeepClone(),
    };

    private static JsonObject StripDirectives(JsonObject o) => (JsonObject)StripDirectives((JsonNode)o)!;
}
