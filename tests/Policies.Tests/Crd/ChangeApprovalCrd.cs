using Json.Schema;

namespace Admission.Policies.Tests.Crd;

/// <summary>One failure reported by the JSON Schema: where in the instance, which keyword, and the message.</summary>
internal sealed record SchemaError(string InstanceLocation, string Keyword, string Message)
{
    public override string ToString() => $"{InstanceLocation} [{Keyword}] {Message}";
}

/// <summary>
/// The ChangeApproval CustomResourceDefinition in config/crd, and its openAPIV3Schema turned into a
/// JSON Schema (draft 2020-12) that JsonSchema.Net can evaluate.
/// </summary>
/// <remarks>
/// The conversion drops the Kubernetes-only <c>x-kubernetes-*</c> keys (list types and CEL rules,
/// which only kube-apiserver evaluates) and adds <c>additionalProperties: false</c> to every object
/// schema that lists its properties: kube-apiserver prunes unknown fields, and rejects them under
/// kubectl's default strict field validation, so an unknown field in an example is a mistake.
/// JSON Schema's date-time is RFC 3339 exactly; kube-apiserver accepts a few more layouts, so this
/// is, if anything, stricter.
/// </remarks>
internal static class ChangeApprovalCrd
{
    public const string FileName = "changeapprovals.approvals.admission.dev.yaml";

    private static readonly Lazy<JsonObject> Document = new(() => YamlToJson.LoadSingle(FilePath));
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(ToJsonSchema(OpenApiSchema, root: true).ToJsonString()));

    public static string FilePath => RepoPaths.Get("config", "crd", FileName);

    /// <summary>The whole CustomResourceDefinition document.</summary>
    public static JsonObject Definition => Document.Value;

    /// <summary>spec.versions[0], the only version (v1alpha1).</summary>
    public static JsonObject Version => Definition["spec"]!["versions"]![0]!.AsObject();

    public static JsonObject OpenApiSchema => Version["schema"]!["openAPIV3Schema"]!.AsObject();

    /// <summary>
    /// The schema node at a dotted path of property names; a name ending in "[]" steps into the
    /// items of that array. "" is the root, "spec.approvals[].approver" an approval's approver.
    /// </summary>
    public static JsonObject Node(string path)
    {
        var node = OpenApiSchema;
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var isItems = part.EndsWith("[]", StringComparison.Ordinal);
            var name = isItems ? part[..^2] : part;
            if (name.Length > 0)
            {
                node = node["properties"]?[name]?.AsObject()
                    ?? throw new KeyNotFoundException($"No property '{name}' in the schema on the way to '{path}'.");
            }

            if (isItems)
            {
                node = node["items"]?.AsObject()
                    ?? throw new KeyNotFoundException($"No items under '{name}' on the way to '{path}'.");
            }
        }

        return node;
    }

    /// <summary>Every schema node with its dotted path (see <see cref="Node"/>), root first.</summary>
    public static IEnumerable<(string Path, JsonObject Node)> AllNodes() => Walk(string.Empty, OpenApiSchema);

    private static IEnumerable<(string Path, JsonObject Node)> Walk(string path, JsonObject node)
    {
        yield return (path, node);
        if (node["properties"] is JsonObject properties)
        {
            foreach (var (name, child) in properties)
            {
                foreach (var entry in Walk(path.Length == 0 ? name : $"{path}.{name}", child!.AsObject()))
                {
                    yield return entry;
                }
            }
        }

        if (node["items"] is JsonObject items)
        {
            foreach (var entry in Walk(path + "[]", items))
            {
                yield return entry;
            }
        }

        if (node["additionalProperties"] is JsonObject values)
        {
            foreach (var entry in Walk(path + "{}", values))
            {
                yield return entry;
            }
        }
    }

    /// <summary>Validates an object against the whole CRD schema.</summary>
    public static IReadOnlyList<SchemaError> Validate(JsonNode? instance) => Evaluate(Schema.Value, instance);

    /// <summary>Validates a value against one schema node of the CRD (for example a default).</summary>
    public static IReadOnlyList<SchemaError> ValidateAgainst(JsonObject openApiNode, JsonNode? instance) =>
        Evaluate(JsonSchema.FromText(ToJsonSchema(openApiNode, root: true).ToJsonString()), instance);

    private static List<SchemaError> Evaluate(JsonSchema schema, JsonNode? instance)
    {
        var options = new EvaluationOptions
        {
            OutputFormat = OutputFormat.List,
            RequireFormatValidation = true,
        };
        var results = schema.Evaluate(instance, options);
        var errors = new List<SchemaError>();
        foreach (var result in new[] { results }.Concat(results.Details))
        {
            foreach (var (keyword, message) in result.Errors ?? new Dictionary<string, string>())
            {
                errors.Add(new SchemaError(result.InstanceLocation.ToString(), keyword, message));
            }
        }

        if (!results.IsValid && errors.Count == 0)
        {
            errors.Add(new SchemaError("", "", "invalid, without a reported error"));
        }

        return errors;
    }

    /// <summary>Turns a structural OpenAPI v3 schema node into a JSON Schema node.</summary>
    public static JsonObject ToJsonSchema(JsonObject openApi, bool root = false)
    {
        var result = new JsonObject();
        if (root)
        {
            result["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        }

        foreach (var (key, value) in openApi)
        {
            switch (key)
            {
                case var _ when key.StartsWith("x-kubernetes-", StringComparison.Ordinal):
                    break;
                case "nullable":
                    throw new NotSupportedException("nullable is not converted; add it to ChangeApprovalCrd.ToJsonSchema.");
                case "properties":
                    var properties = new JsonObject();
                    foreach (var (name, child) in value!.AsObject())
                    {
                        properties[name] = ToJsonSchema(child!.AsObject());
                    }

                    result["properties"] = properties;
                    break;
                case "items" or "additionalProperties" or "not" when value is JsonObject child:
                    result[key] = ToJsonSchema(child);
                    break;
                case "allOf" or "anyOf" or "oneOf":
                    result[key] = new JsonArray([.. value!.AsArray().Select(s => (JsonNode)ToJsonSchema(s!.AsObject()))]);
                    break;
                default:
                    result[key] = value?.DeepClone();
                    break;
            }
        }

        var preservesUnknown = openApi["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;
        if (openApi.ContainsKey("properties") && !openApi.ContainsKey("additionalProperties") && !preservesUnknown)
        {
            result["additionalProperties"] = false;
        }

        return result;
    }
}
