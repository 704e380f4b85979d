namespace Admission.TestApiServer.CustomResources;

/// <summary>
/// The OpenAPI part of custom resource validation: types, required, enum, pattern, formats,
/// lengths, item counts, bounds (kube-openapi's validator, its errors turned into field errors as
/// apiextensions' kubeOpenAPIResultToFieldErrors does), then the list-type set and map
/// invariants (structurallisttype.ValidateListSetsAndMaps).
/// </summary>
internal static class SchemaValidation
{
    public static void Validate(SchemaNode schema, JsonNode? node, string path, List<FieldError> errors, bool isRoot = false)
    {
        if (node is null)
        {
            if (!schema.Nullable && schema.Type.Length > 0)
            {
                errors.Add(new FieldError(FieldErrorType.TypeInvalid, path, null, $"{path} in body must be of type {schema.Type}: \"null\""));
            }

            return;
        }

        var kind = node.GetValueKind();
        if (!TypeMatches(schema, node, kind))
        {
            errors.Add(new FieldError(FieldErrorType.TypeInvalid, path, node.DeepClone(),
                $"{path} in body must be of type {schema.Type}: \"{JsonTypeName(node, kind)}\""));
            return;
        }

        if (schema.Enum is { } allowed && !allowed.Any(a => JsonNode.DeepEquals(a, node)))
        {
            errors.Add(new FieldError(FieldErrorType.NotSupported, path, node.DeepClone(),
                "supported values: " + string.Join(", ", allowed.Select(FieldError.ValueText))));
        }

        switch (node)
        {
            case JsonValue value when kind == JsonValueKind.String:
                ValidateString(schema, value.GetValue<string>(), path, errors);
                break;
            case JsonValue value when kind == JsonValueKind.Number:
                ValidateNumber(schema, value, path, errors);
                break;
            case JsonArray array:
                ValidateArray(schema, array, path, errors);
                break;
            case JsonObject obj:
                ValidateObject(schema, obj, path, errors, isRoot);
                break;
        }
    }

    private static bool TypeMatches(SchemaNode schema, JsonNode node, JsonValueKind kind)
    {
        if (schema.IntOrString)
        {
            return kind == JsonValueKind.String || IsInteger(node, kind);
        }

        return schema.Type switch
        {
            "string" => kind == JsonValueKind.String,
            "integer" => IsInteger(node, kind),
            "number" => kind == JsonValueKind.Number,
            "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
            "array" => kind == JsonValueKind.Array,
            "object" => kind == JsonValueKind.Object,
            _ => true,
        };
    }

    private static bool IsInteger(JsonNode node, JsonValueKind kind) =>
        kind == JsonValueKind.Number && long.TryParse(node.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    private static string JsonTypeName(JsonNode node, JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => IsInteger(node, kind) ? "integer" : "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        _ => "null",
    };

    private static void ValidateString(SchemaNode schema, string text, string path, List<FieldError> errors)
    {
        var length = text.EnumerateRunes().Count();
        if (schema.MaxLength is { } max && length > max)
        {
            errors.Add(new FieldError(FieldErrorType.TooLong, path, text, $"may not be longer than {max}"));
        }

        if (schema.MinLength is { } min && length < min)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path, text, $"{path} in body should be at least {min} chars long"));
        }

        if (schema.Pattern is { } pattern && !Regex.IsMatch(text, pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path, text, $"{path} in body should match '{pattern}'"));
        }

        if (schema.Format is { } format && !Formats.IsValid(format, text))
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path, text, $"{path} in body must be of type {format}: {FieldError.Quote(text)}"));
        }
    }

    private static void ValidateNumber(SchemaNode schema, JsonValue value, string path, List<FieldError> errors)
    {
        var number = double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
        if (schema.Minimum is { } min && number < min)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path, value.DeepClone(),
                $"{path} in body should be greater than or equal to {min.ToString(CultureInfo.InvariantCulture)}"));
        }

        if (schema.Maximum is { } max && number > max)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path, value.DeepClone(),
                $"{path} in body should be less than or equal to {max.ToString(CultureInfo.InvariantCulture)}"));
        }
    }

    private static void ValidateArray(SchemaNode schema, JsonArray array, string path, List<FieldError> errors)
    {
        if (schema.MaxItems is { } max && array.Count > max)
        {
            errors.Add(new FieldError(FieldErrorType.TooMany, path, array.Count, $"must have at most {max} items"));
        }

        if (schema.MinItems is { } min && array.Count < min)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path, array.Count, $"{path} in body should have at least {min} items"));
        }

        if (schema.Items is { } items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Validate(items, array[i], $"{path}[{i}]", errors);
            }
        }

        ValidateListType(schema, array, path, errors);
    }

    private static void ValidateListType(SchemaNode schema, JsonArray array, string path, List<FieldError> errors)
    {
        for (var i = 0; i < array.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (schema.ListType == "set" && JsonNode.DeepEquals(array[i], array[j]))
                {
                    errors.Add(new FieldError(FieldErrorType.Duplicate, $"{path}[{i}]", array[i]?.DeepClone(), ""));
                    break;
                }

                if (schema.ListType == "map" && array[i] is JsonObject a && array[j] is JsonObject b
                    && schema.ListMapKeys.All(k => JsonNode.DeepEquals(KeyValue(schema, a, k), KeyValue(schema, b, k))))
                {
                    var keys = new JsonObject();
                    foreach (var k in schema.ListMapKeys)
                    {
                        keys[k] = KeyValue(schema, a, k)?.DeepClone();
                    }

                    errors.Add(new FieldError(FieldErrorType.Duplicate, $"{path}[{i}]", keys, ""));
                    break;
                }
            }
        }
    }

    private static JsonNode? KeyValue(SchemaNode schema, JsonObject item, string key) =>
        item[key] ?? schema.Items?.Properties.GetValueOrDefault(key)?.Default;

    private static void ValidateObject(SchemaNode schema, JsonObject obj, string path, List<FieldError> errors, bool isRoot)
    {
        foreach (var name in schema.Required)
        {
            if (!obj.ContainsKey(name))
            {
                errors.Add(new FieldError(FieldErrorType.Required, Child(path, name), null, ""));
            }
        }

        if (schema.MaxProperties is { } max && obj.Count > max)
        {
            errors.Add(new FieldError(FieldErrorType.TooMany, path, obj.Count, $"must have at most {max} items"));
        }

        foreach (var (name, value) in obj)
        {
            if ((isRoot || schema.EmbeddedResource) && name == "metadata")
            {
                continue;
            }

            if (schema.Properties.TryGetValue(name, out var property))
            {
                Validate(property, value, Child(path, name), errors);
            }
            else if (schema.AdditionalProperties is { } values)
            {
                Validate(values, value, $"{path}[{name}]", errors);
            }
        }
    }

    private static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
