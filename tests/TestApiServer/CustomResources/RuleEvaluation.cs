namespace Admission.TestApiServer.CustomResources;

/// <summary>
/// x-kubernetes-validations evaluated as apiextensions' cel.Validator does: depth first, self the
/// node's value, oldSelf the correlated old value (object properties by name, map values by key,
/// items of x-kubernetes-list-type=map lists by their keys; never items of set or atomic lists).
/// A transition rule runs only where an old value exists, unless it sets optionalOldSelf; a
/// non-transition rule that fails on a value the update left unchanged is ratcheted (1.30's
/// CRDValidationRatcheting, on by default): it becomes a warning.
/// </summary>
internal static class RuleEvaluation
{
    public static void Validate(CompiledSchema schema, JsonNode? value, JsonNode? old, bool hasOld, string path, List<FieldError> errors, List<string> warnings)
    {
        if (value is null)
        {
            return;
        }

        EvaluateRules(schema, value, old, hasOld, path, errors, warnings);
        switch (value)
        {
            case JsonObject obj when schema.Properties.Count > 0:
                foreach (var (name, child) in schema.Properties)
                {
                    if (obj[name] is { } childValue)
                    {
                        var oldObj = hasOld ? old as JsonObject : null;
                        var childHasOld = oldObj is not null && oldObj.TryGetPropertyValue(name, out var oldChild) && oldChild is not null;
                        Validate(child, childValue, childHasOld ? oldObj![name] : null, childHasOld, Child(path, name), errors, warnings);
                    }
                }

                break;
            case JsonObject map when schema.AdditionalProperties is { } values:
                foreach (var (key, childValue) in map)
                {
                    var oldMap = hasOld ? old as JsonObject : null;
                    var childHasOld = oldMap?[key] is not null;
                    Validate(values, childValue, childHasOld ? oldMap![key] : null, childHasOld, $"{path}[{key}]", errors, warnings);
                }

                break;
            case JsonArray array when schema.Items is { } items:
                var oldArray = hasOld && schema.Node.ListType == "map" ? old as JsonArray : null;
                for (var i = 0; i < array.Count; i++)
                {
                    var oldItem = oldArray is null ? null : Correlate(schema.Node, array[i], oldArray);
                    Validate(items, array[i], oldItem, oldItem is not null, $"{path}[{i}]", errors, warnings);
                }

                break;
        }
    }

    private static JsonNode? Correlate(SchemaNode list, JsonNode? item, JsonArray old) =>
        item is JsonObject obj
            ? old.OfType<JsonObject>().FirstOrDefault(o => list.ListMapKeys.All(k => JsonNode.DeepEquals(o[k], obj[k])))
            : null;

    private static void EvaluateRules(CompiledSchema schema, JsonNode value, JsonNode? old, bool hasOld, string path, List<FieldError> errors, List<string> warnings)
    {
        if (schema.Rules.Count == 0)
        {
            return;
        }

        var self = CelRuntime.ToCel(value, schema.Node);
        var oldSelf = hasOld ? CelRuntime.ToCel(old, schema.Node) : null;
        foreach (var rule in schema.Rules)
        {
            if (rule.UsesOldSelf && !hasOld && !rule.OptionalOldSelf)
            {
                continue;
            }

            var activation = new Dictionary<string, object?>
            {
                ["self"] = self,
                ["oldSelf"] = rule.OptionalOldSelf ? (hasOld ? new CelOptional(oldSelf, true) : CelOptional.None) : oldSelf,
            };
            object? result;
            try
            {
                result = CelRuntime.Evaluate(rule.Program, activation);
            }
            catch (CelEvaluationException e)
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, path, schema.Node.Type, $"{e.Message} evaluating rule: {rule.ErrorString}"));
                continue;
            }

            if (result is true)
            {
                continue;
            }

            var fieldPath = rule.FieldPath.Length == 0 ? path : path.Length == 0 ? rule.FieldPath : $"{path}.{rule.FieldPath}";
            var error = ErrorFor(rule, fieldPath, schema.Node.Type, Message(rule, self, oldSelf));
            if (!rule.UsesOldSelf && hasOld && JsonNode.DeepEquals(value, old))
            {
                warnings.Add(error.ToString());
            }
            else
            {
                errors.Add(error);
            }
        }
    }

    private static string Message(CompiledRule rule, object? self, object? oldSelf)
    {
        if (rule.MessageProgram is not null)
        {
            try
            {
                if (CelRuntime.Evaluate(rule.MessageProgram, new Dictionary<string, object?> { ["self"] = self, ["oldSelf"] = oldSelf }) is string text
                    && text.Trim() is { Length: > 0 and <= 5000 } trimmed && !trimmed.Contains('\n', StringComparison.Ordinal))
                {
                    return trimmed;
                }
            }
            catch (CelEvaluationException)
            {
                // kube-apiserver logs this and falls back to the message, as here.
            }
        }

        return rule.DefaultMessage;
    }

    private static FieldError ErrorFor(CompiledRule rule, string path, string type, string detail) => rule.Rule.Reason switch
    {
        "FieldValueForbidden" => new FieldError(FieldErrorType.Forbidden, path, null, detail),
        "FieldValueRequired" => new FieldError(FieldErrorType.Required, path, null, detail),
        "FieldValueDuplicate" => new FieldError(FieldErrorType.Duplicate, path, type, ""),
        _ => new FieldError(FieldErrorType.Invalid, path, type, detail),
    };

    private static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
