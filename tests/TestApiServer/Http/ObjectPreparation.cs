namespace Admission.TestApiServer.Http;

/// <summary>
/// What kube-apiserver's registry strategies do to an object before admission sees it and before it
/// is stored: system metadata, status handling for types with a status subresource, generation, defaults.
/// </summary>
internal static partial class ObjectPreparation
{
    public static JsonObject ForCreate(ResourceDefinition resource, JsonObject body, string? urlNamespace)
    {
        var obj = (JsonObject)body.DeepClone();
        CheckTypeMeta(resource, obj);
        var metadata = Meta.Metadata(obj);
        CheckNamespace(resource, metadata, urlNamespace);
        if (Meta.Name(obj).Length == 0)
        {
            var prefix = metadata["generateName"]?.ToString() ?? "";
            if (prefix.Length == 0)
            {
                throw StatusBodies.Invalid(resource, "", "metadata.name", "Required value: name or generateName is required");
            }

            metadata["name"] = prefix + RandomSuffix();
        }

        CheckName(resource, Meta.Name(obj));
        if (Meta.ResourceVersionText(obj).Length > 0)
        {
            throw StatusBodies.Internal("resourceVersion should not be set on objects to be created");
        }

        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = Meta.Now();
        metadata.Remove("deletionTimestamp");
        metadata.Remove("deletionGracePeriodSeconds");
        metadata.Remove("managedFields");
        if (resource.TracksGeneration)
        {
            metadata["generation"] = 1;
        }

        if (resource.HasStatus)
        {
            obj.Remove("status");
        }

        Defaulting.Apply(resource, obj);
        Validation.Check(resource, obj);
        return obj;
    }

    /// <summary>
    /// The object to store when <paramref name="desired"/> replaces <paramref name="current"/>
    /// through the main resource ("") or the status subresource.
    /// </summary>
    public static JsonObject ForUpdate(ResourceDefinition resource, string subresource, JsonObject current, JsonObject desired, string urlName, string? urlNamespace)
    {
        var obj = (JsonObject)desired.DeepClone();
        CheckTypeMeta(resource, obj);
        var metadata = Meta.Metadata(obj);
        if (Meta.Name(obj) != urlName)
        {
            throw StatusBodies.BadRequest($"the name of the object ({Meta.Name(obj)}) does not match the name on the URL ({urlName})");
        }

        CheckNamespace(resource, metadata, urlNamespace);
        if (subresource is "status" or "finalize")
        {
            return UpdateStrategies.ForSubresource(resource, subresource, current, obj);
        }

        var currentMetadata = Meta.Metadata(current);
        foreach (var key in new[] { "uid", "creationTimestamp", "generation", "deletionTimestamp" })
        {
            if (currentMetadata[key] is { } value)
            {
                metadata[key] = value.DeepClone();
            }
            else
            {
                metadata.Remove(key);
            }
        }

        metadata.Remove("managedFields");
        if (resource.HasStatus)
        {
            if (current["status"] is { } status)
            {
                obj["status"] = status.DeepClone();
            }
            else
            {
                obj.Remove("status");
            }
        }

        Defaulting.Apply(resource, obj);
        UpdateStrategies.KeepOnMainUpdate(resource, current, obj);
        Validation.Check(resource, obj);
        if (UpdateStrategies.BumpsGeneration(resource, current, obj))
        {
            metadata["generation"] = Meta.Generation(current) + 1;
        }

        return obj;
    }

    public static void BumpGenerationIfChanged(ResourceDefinition resource, JsonObject current, JsonObject updated)
    {
        if (UpdateStrategies.BumpsGeneration(resource, current, updated))
        {
            Meta.Metadata(updated)["generation"] = Meta.Generation(current) + 1;
        }
    }

    private static void CheckTypeMeta(ResourceDefinition resource, JsonObject obj)
    {
        var apiVersion = obj["apiVersion"]?.ToString();
        var kind = obj["kind"]?.ToString();
        if (apiVersion is { Length: > 0 } && apiVersion != resource.ApiVersion)
        {
            throw StatusBodies.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({resource.ApiVersion})");
        }

        if (kind is { Length: > 0 } && kind != resource.Kind)
        {
            throw StatusBodies.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({resource.Kind})");
        }

        obj["apiVersion"] = resource.ApiVersion;
        obj["kind"] = resource.Kind;
    }

    private static void CheckNamespace(ResourceDefinition resource, JsonObject metadata, string? urlNamespace)
    {
        if (!resource.Namespaced)
        {
            metadata.Remove("namespace");
            return;
        }

        var bodyNamespace = metadata["namespace"]?.ToString() ?? "";
        if (bodyNamespace.Length > 0 && bodyNamespace != urlNamespace)
        {
            throw StatusBodies.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        metadata["namespace"] = urlNamespace;
    }

    private static void CheckName(ResourceDefinition resource, string name)
    {
        var isNamespace = resource.GroupResource == "namespaces";
        var valid = isNamespace ? DnsLabel().IsMatch(name) && name.Length <= 63 : DnsSubdomain().IsMatch(name) && name.Length <= 253;
        if (!valid)
        {
            throw StatusBodies.Invalid(resource, name, "metadata.name",
                $"Invalid value: \"{name}\": a lowercase RFC 1123 {(isNamespace ? "label" : "subdomain")} must consist of lower case alphanumeric characters, '-'{(isNamespace ? "" : " or '.'")}, and must start and end with an alphanumeric character");
        }
    }

    private static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return new string([.. Enumerable.Range(0, 5).Select(_ => alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)])]);
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
