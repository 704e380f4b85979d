namespace Admission.TestApiServer.CustomResources;

/// <summary>One x-kubernetes-validations entry.</summary>
public sealed record ValidationRule(
    string Rule, string? Message, string? MessageExpression, string? FieldPath, string? Reason, bool? OptionalOldSelf);

/// <summary>
/// A node of a structural openAPIV3Schema: what kube-apiserver's apiextensions code keeps of it
/// (schema.Structural) for defaulting, pruning, validation and CEL.
/// </summary>
public sealed class SchemaNode
{
    public string Type { get; init; } = "";

    public string? Format { get; init; }

    public IReadOnlyDictionary<string, SchemaNode> Properties { get; init; } = new Dictionary<string, SchemaNode>();

    public SchemaNode? Items { get; init; }

    public SchemaNode? AdditionalProperties { get; init; }

    public IReadOnlyList<string> Required { get; init; } = [];

    public IReadOnlyList<JsonNode?>? Enum { get; init; }

    public string? Pattern { get; init; }

    public long? MinLength { get; init; }

    public long? MaxLength { get; init; }

    public long? MinItems { get; init; }

    public long? MaxItems { get; init; }

    public long? MaxProperties { get; init; }

    public double? Minimum { get; init; }

    public double? Maximum { get; init; }

    public JsonNode? Default { get; init; }

    public bool HasDefault { get; init; }

    public bool Nullable { get; init; }

    public bool PreserveUnknownFields { get; init; }

    public bool EmbeddedResource { get; init; }

    public bool IntOrString { get; init; }

    /// <summary>"atomic" (the default), "set" or "map".</summary>
    public string ListType { get; init; } = "atomic";

    public IReadOnlyList<string> ListMapKeys { get; init; } = [];

    public IReadOnlyList<ValidationRule> Validations { get; init; } = [];

    public bool IsObjectWithProperties => Type == "object" && AdditionalProperties is null;

    public static SchemaNode Parse(JsonObject node)
    {
        var properties = new Dictionary<string, SchemaNode>(StringComparer.Ordinal);
        if (node["properties"] is JsonObject props)
        {
            foreach (var (name, value) in props)
            {
                if (value is JsonObject child)
                {
                    properties[name] = Parse(child);
                }
            }
        }

        return new SchemaNode
        {
            Type = node["type"]?.GetValue<string>() ?? "",
            Format = node["format"]?.GetValue<string>(),
            Properties = properties,
            Items = node["items"] is JsonObject items ? Parse(items) : null,
            AdditionalProperties = node["additionalProperties"] is JsonObject additional ? Parse(additional) : null,
            Required = Strings(node["required"]),
            Enum = node["enum"] is JsonArray values ? [.. values.Select(v => v?.DeepClone())] : null,
            Pattern = node["pattern"]?.GetValue<string>(),
            MinLength = Integer(node["minLength"]),
            MaxLength = Integer(node["maxLength"]),
            MinItems = Integer(node["minItems"]),
            MaxItems = Integer(node["maxItems"]),
            MaxProperties = Integer(node["maxProperties"]),
            Minimum = Number(node["minimum"]),
            Maximum = Number(node["maximum"]),
            Default = node["default"]?.DeepClone(),
            HasDefault = node.ContainsKey("default"),
            Nullable = node["nullable"]?.GetValue<bool>() ?? false,
            PreserveUnknownFields = node["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() ?? false,
            EmbeddedResource = node["x-kubernetes-embedded-resource"]?.GetValue<bool>() ?? false,
            IntOrString = node["x-kubernetes-int-or-string"]?.GetValue<bool>() ?? false,
            ListType = node["x-kubernetes-list-type"]?.GetValue<string>() ?? "atomic",
            ListMapKeys = Strings(node["x-kubernetes-list-map-keys"]),
            Validations = node["x-kubernetes-validations"] is JsonArray rules
                ? [.. rules.OfType<JsonObject>().Select(r => new ValidationRule(
                    r["rule"]?.GetValue<string>() ?? "",
                    r["message"]?.GetValue<string>(),
                    r["messageExpression"]?.GetValue<string>(),
                    r["fieldPath"]?.GetValue<string>(),
                    r["reason"]?.GetValue<string>(),
                    r["optionalOldSelf"]?.GetValue<bool>()))]
                : [],
        };
    }

    private static string[] Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(n => n?.GetValue<string>() ?? "")] : [];

    private static long? Integer(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            ? long.Parse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
            : null;

    private static double? Number(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            ? double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture)
            : null;
}
