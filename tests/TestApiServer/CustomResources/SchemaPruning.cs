namespace Admission.TestApiServer.CustomResources;

/// <summary>
/// Pruning (apiextensions-apiserver's pruning.PruneWithOptions): fields the schema does not
/// declare are dropped, except under x-kubernetes-preserve-unknown-fields; apiVersion, kind and
/// metadata at the root and in embedded resources are kept.
/// </summary>
internal static class SchemaPruning
{
    /// <returns>The paths of the pruned fields, for the "unknown field" warnings kube-apiserver sends.</returns>
    public static List<string> Prune(SchemaNode schema, JsonObject root)
    {
        var pruned = new List<string>();
        Walk(schema, root, "", isRoot: true, pruned);
        return pruned;
    }

    private static void Walk(SchemaNode schema, JsonNode? node, string path, bool isRoot, List<string> pruned)
    {
        switch (node)
        {
            case JsonObject obj when schema.Type == "object" && schema.AdditionalProperties is null:
                foreach (var (name, value) in obj.ToList())
                {
                    var childPath = path.Length == 0 ? name : $"{path}.{name}";
                    if (schema.Properties.TryGetValue(name, out var property))
                    {
                        if (!((isRoot || schema.EmbeddedResource) && name == "metadata"))
                        {
                            Walk(property, value, childPath, isRoot: false, pruned);
                        }
                    }
                    else if ((isRoot || schema.EmbeddedResource) && name is "apiVersion" or "kind" or "metadata")
                    {
                        continue;
                    }
                    else if (!schema.PreserveUnknownFields)
                    {
                        obj.Remove(name);
                        pruned.Add(childPath);
                    }
                }

                break;
            case JsonObject map when schema.AdditionalProperties is { } values:
                foreach (var (name, value) in map.ToList())
                {
                    Walk(values, value, $"{path}[{name}]", isRoot: false, pruned);
                }

                break;
            case JsonArray array when schema.Items is { } items:
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(items, array[i], $"{path}[{i}]", isRoot: false, pruned);
                }

                break;
        }
    }
}
