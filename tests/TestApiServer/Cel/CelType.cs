namespace Admission.TestApiServer.Cel;

/// <summary>
/// The static type of a CEL expression as far as this checker follows it: kube-apiserver's
/// DeclType built from the schema (objects with properties, maps, lists, strings with formats),
/// plus the scalar types. "dyn" is unknown and accepted anywhere, as in cel-go.
/// </summary>
/// <param name="MaxSize">Largest size (items, characters) the schema or a literal allows; null when unbounded.</param>
internal sealed record CelType(string Kind, SchemaNode? Schema = null, CelType? Element = null, CelType? Value = null, double? MaxSize = null)
{
    public static readonly CelType Bool = new("bool");
    public static readonly CelType Int = new("int");
    public static readonly CelType Uint = new("uint");
    public static readonly CelType Double = new("double");
    public static readonly CelType String = new("string");
    public static readonly CelType Bytes = new("bytes");
    public static readonly CelType Timestamp = new("timestamp");
    public static readonly CelType Duration = new("duration");
    public static readonly CelType Null = new("null_type");
    public static readonly CelType Dyn = new("dyn");

    public static CelType ListOf(CelType element, double? maxSize = null) => new("list", Element: element, MaxSize: maxSize);

    public static CelType MapOf(CelType key, CelType value, double? maxSize = null) => new("map", Element: key, Value: value, MaxSize: maxSize);

    public static CelType Optional(CelType inner) => new("optional_type", Element: inner);

    public bool IsDyn => Kind == "dyn";

    /// <summary>What CEL sees for a value of this schema (apiextensions' SchemaDeclType).</summary>
    public static CelType FromSchema(SchemaNode schema)
    {
        if (schema.IntOrString || (schema.PreserveUnknownFields && schema.Type.Length == 0))
        {
            return Dyn;
        }

        return schema.Type switch
        {
            "boolean" => Bool,
            "integer" => Int,
            "number" => Double,
            "string" => schema.Format switch
            {
                "date-time" => Timestamp,
                "duration" => Duration,
                "byte" => Bytes with { Schema = schema, MaxSize = schema.MaxLength },
                // Like Kubernetes' estimateMaxStringEnumLength: an enum bounds the length too.
                _ => String with { Schema = schema, MaxSize = schema.MaxLength ?? EnumMaxLength(schema) },
            },
            "array" => new CelType("list", schema, schema.Items is { } items ? FromSchema(items) : Dyn, MaxSize: schema.MaxItems),
            "object" when schema.AdditionalProperties is { } values =>
                new CelType("map", schema, String, FromSchema(values), schema.MaxProperties),
            "object" when schema.PreserveUnknownFields && schema.Properties.Count == 0 => Dyn,
            "object" => new CelType("object", schema, MaxSize: schema.Properties.Count),
            _ => Dyn,
        };
    }

    private static double? EnumMaxLength(SchemaNode schema) =>
        schema.Enum is { Count: > 0 } values ? values.Max(v => v?.ToString().Length ?? 0) : null;

    public override string ToString() => Kind switch
    {
        "list" => $"list({Element})",
        "map" => $"map({Element}, {Value})",
        "optional_type" => $"optional_type({Element})",
        "object" => "object",
        _ => Kind,
    };
}
