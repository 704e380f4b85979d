namespace Admission.TestApiServer.Patching;

/// <summary>RFC 7386 JSON merge patch: objects merge, null deletes, everything else replaces.</summary>
internal static class MergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? [];
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            var merged = Apply(result[key]?.DeepClone(), value);
            result[key] = merged;
        }

        return result;
    }
}
