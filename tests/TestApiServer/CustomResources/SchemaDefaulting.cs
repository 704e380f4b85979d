namespace Admission.TestApiServer.CustomResources;

/// <summary>
/// Structural defaulting (apiextensions-apiserver's structuraldefaulting.Default): a property that
/// is absent, or null where the schema does not allow null, gets the schema's default. It runs on
/// every write and on every object read back from storage, so a field added with a default later is
/// there for old objects too.
/// </summary>
internal static class SchemaDefaulting
{
    public static void Apply(SchemaNode schema, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj when schema.Properties.Count > 0:
                foreach (var (name, property) in schema.Properties)
                {
                    if (obj.TryGetPropertyValue(name, out var value) && value is null && !property.Nullable && property.HasDefault)
                    {
                        obj.Remove(name);
                    }

                    if (!obj.ContainsKey(name) && property.HasDefault)
                    {
                        obj[name] = property.Default?.DeepClone();
                    }

                    if (obj[name] is { } child)
                    {
                        Apply(property, child);
                    }
                }

                break;
            case JsonObject map when schema.AdditionalProperties is { } values:
                foreach (var (_, value) in map.ToList())
                {
                    Apply(values, value);
                }

                break;
            case JsonArray array when schema.Items is { } items:
                foreach (var item in array)
                {
                    Apply(items, item);
                }

                break;
        }
    }
}
