namespace Admission.TestApiServer.CustomResources;

/// <summary>A CustomResourceDefinition kube-apiserver would refuse, with the 422 message it would give.</summary>
public sealed class CrdInvalidException(string message, IReadOnlyList<string> errors) : Exception(message)
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>A served version of a custom resource: its structural schema and its compiled rules.</summary>
internal sealed record CrdVersion(string Group, string Version, string Plural, string Kind, CompiledSchema Schema, double TotalCost);

/// <summary>
/// What kube-apiserver checks about x-kubernetes-validations when a CRD is created
/// (apiextensions' validation.validateCustomResourceDefinition with CEL): every rule parses and
/// type-checks to a bool, oldSelf only where old and new values correlate (no set or atomic list
/// above the node), optionalOldSelf only on transition rules, and the estimated cost of each rule
/// (times how often its node can occur) and of all of them within the static limits.
/// </summary>
internal static class CrdCompiler
{
    /// <summary>apiextensions' StaticEstimatedCostLimit, per rule.</summary>
    public const double RuleCostLimit = 10_000_000;

    /// <summary>apiextensions' StaticEstimatedCRDCostLimit, for the whole schema of a version.</summary>
    public const double CrdCostLimit = 100_000_000;

    public static IReadOnlyList<CrdVersion> Compile(JsonObject crd)
    {
        var name = crd["metadata"]?["name"]?.GetValue<string>() ?? "";
        var spec = crd["spec"] as JsonObject ?? throw Invalid(name, ["spec: Required value"]);
        var group = spec["group"]?.GetValue<string>() ?? "";
        var plural = spec["names"]?["plural"]?.GetValue<string>() ?? "";
        var kind = spec["names"]?["kind"]?.GetValue<string>() ?? "";
        var errors = new List<string>();
        var versions = new List<CrdVersion>();
        var list = spec["versions"] as JsonArray ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            var path = $"spec.versions[{i}].schema.openAPIV3Schema";
            if (list[i]?["schema"]?["openAPIV3Schema"] is not JsonObject schemaJson)
            {
                errors.Add($"{path}: Required value: schemas are required");
                continue;
            }

            var context = new Context(errors);
            var compiled = Walk(SchemaNode.Parse(schemaJson), path, cardinality: 1, uncorrelatable: null, isRoot: true, context);
            if (context.Total > CrdCostLimit)
            {
                errors.Add($"{path}: Forbidden: {CostMessage("x-kubernetes-validations estimated rule & messageExpression cost total for entire OpenAPIv3 schema", context.Total, CrdCostLimit)}");
            }

            versions.Add(new CrdVersion(group, list[i]?["name"]?.GetValue<string>() ?? "", plural, kind, compiled, context.Total));
        }

        if (errors.Count > 0)
        {
            throw Invalid(name, errors);
        }

        return versions;
    }

    private static CrdInvalidException Invalid(string name, List<string> errors) =>
        new($"CustomResourceDefinition.apiextensions.k8s.io \"{name}\" is invalid: {(errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]")}", errors);

    private sealed class Context(List<string> errors)
    {
        public List<string> Errors { get; } = errors;

        public double Total { get; set; }
    }

    private static CompiledSchema Walk(SchemaNode node, string path, double cardinality, string? uncorrelatable, bool isRoot, Context context)
    {
        var rules = new List<CompiledRule>();
        for (var j = 0; j < node.Validations.Count; j++)
        {
            if (CompileRule(node, node.Validations[j], $"{path}.x-kubernetes-validations[{j}]", cardinality, uncorrelatable, isRoot, context) is { } rule)
            {
                rules.Add(rule);
            }
        }

        var properties = node.Properties.ToDictionary(
            p => p.Key,
            p => Walk(p.Value, $"{path}.properties[{p.Key}]", cardinality, uncorrelatable, isRoot: false, context),
            StringComparer.Ordinal);
        CompiledSchema? items = null;
        if (node.Items is { } itemSchema)
        {
            var itemsPath = $"{path}.items";
            items = Walk(itemSchema, itemsPath, cardinality * CelChecker.MaxSize(CelType.FromSchema(node)),
                uncorrelatable ?? (node.ListType == "map" ? null : itemsPath), isRoot: false, context);
        }

        CompiledSchema? additional = null;
        if (node.AdditionalProperties is { } valueSchema)
        {
            additional = Walk(valueSchema, $"{path}.additionalProperties", cardinality * CelChecker.MaxSize(CelType.FromSchema(node)),
                uncorrelatable, isRoot: false, context);
        }

        return new CompiledSchema { Node = node, Rules = rules, Properties = properties, Items = items, AdditionalProperties = additional };
    }

    private static CompiledRule? CompileRule(SchemaNode node, ValidationRule rule, string rulePath, double cardinality, string? uncorrelatable, bool isRoot, Context context)
    {
        var selfType = SelfType(node, isRoot);
        var before = context.Errors.Count;
        CheckedExpression? checkedRule = null;
        try
        {
            var oldSelf = rule.OptionalOldSelf == true ? CelType.Optional(selfType) : selfType;
            checkedRule = new CelChecker(new Dictionary<string, CelType> { ["self"] = selfType, ["oldSelf"] = oldSelf }).Check(CelAst.Parse(rule.Rule));
        }
        catch (Exception e) when (e is CelSyntaxException or CelCompileException)
        {
            context.Errors.Add($"{rulePath}.rule: Invalid value: {FieldError.Quote(rule.Rule)}: compilation failed: {(e is CelSyntaxException ? e.Message : "ERROR: <input>:1:1: " + e.Message)}");
            return null;
        }

        if (checkedRule.Type.Kind is not ("bool" or "dyn"))
        {
            context.Errors.Add($"{rulePath}.rule: Invalid value: {FieldError.Quote(rule.Rule)}: cel expression must evaluate to a bool");
        }

        if (checkedRule.UsesOldSelf && uncorrelatable is not null)
        {
            context.Errors.Add($"{rulePath}.rule: Invalid value: {FieldError.Quote(rule.Rule)}: oldSelf cannot be used on the uncorrelatable portion of the schema within {uncorrelatable}");
        }
        else if (!checkedRule.UsesOldSelf && rule.OptionalOldSelf is { } optional)
        {
            context.Errors.Add($"{rulePath}.optionalOldSelf: Invalid value: {(optional ? "true" : "false")}: may not be set if oldSelf is not used in rule");
        }

        var cost = checkedRule.Cost;
        if (rule.MessageExpression is { Length: > 0 } messageExpression)
        {
            try
            {
                var checkedMessage = new CelChecker(new Dictionary<string, CelType> { ["self"] = selfType, ["oldSelf"] = selfType }).Check(CelAst.Parse(messageExpression));
                if (checkedMessage.Type.Kind is not ("string" or "dyn"))
                {
                    context.Errors.Add($"{rulePath}.messageExpression: Invalid value: {FieldError.Quote(messageExpression)}: must evaluate to a string");
                }

                cost += checkedMessage.Cost;
            }
            catch (Exception e) when (e is CelSyntaxException or CelCompileException)
            {
                context.Errors.Add($"{rulePath}.messageExpression: Invalid value: {FieldError.Quote(messageExpression)}: messageExpression compilation failed: {e.Message}");
            }
        }

        var total = cost * cardinality;
        if (total > RuleCostLimit)
        {
            context.Errors.Add($"{rulePath}.rule: Forbidden: {CostMessage("estimated rule cost", total, RuleCostLimit)}");
        }

        context.Total += total;
        var fieldPath = rule.FieldPath is { Length: > 0 } fp ? fp.TrimStart('.') : "";
        if (fieldPath.Length > 0 && !node.Properties.ContainsKey(fieldPath.Split('.', '[')[0]))
        {
            context.Errors.Add($"{rulePath}.fieldPath: Invalid value: {FieldError.Quote(rule.FieldPath!)}: fieldPath must be a valid path: does not refer to a valid field");
        }

        if (context.Errors.Count > before)
        {
            return null;
        }

        return new CompiledRule(rule, CelRuntime.Compile(rule.Rule),
            rule.MessageExpression is { Length: > 0 } m ? CelRuntime.Compile(m) : null,
            checkedRule.UsesOldSelf, fieldPath, total);
    }

    /// <summary>At the root, self also has apiVersion, kind and metadata.name/generateName (WithTypeAndObjectMeta).</summary>
    private static CelType SelfType(SchemaNode node, bool isRoot)
    {
        if (!isRoot)
        {
            return CelType.FromSchema(node);
        }

        var text = new SchemaNode { Type = "string" };
        var properties = new Dictionary<string, SchemaNode>(node.Properties, StringComparer.Ordinal)
        {
            ["apiVersion"] = text,
            ["kind"] = text,
            ["metadata"] = new SchemaNode { Type = "object", Properties = new Dictionary<string, SchemaNode> { ["name"] = text, ["generateName"] = text } },
        };
        return new CelType("object", new SchemaNode { Type = "object", Properties = properties });
    }

    /// <summary>getCostErrorMessage, with Go's %f and %.1f.</summary>
    internal static string CostMessage(string what, double cost, double limit)
    {
        var factor = cost / limit;
        var text = factor > 100 ? "more than 100x"
            : factor < 1.5 ? factor.ToString("F6", CultureInfo.InvariantCulture) + "x"
            : factor.ToString("F1", CultureInfo.InvariantCulture) + "x";
        return $"{what} exceeds budget by factor of {text} (try simplifying the rule(s), or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)";
    }
}
