namespace Admission.TestApiServer.CustomResources;

/// <summary>
/// The custom resources served from CustomResourceDefinitions, and what kube-apiserver does to
/// each write of one before admission: defaults, pruning, the structural schema, then the CEL
/// rules; any error is a 422 Invalid listing every cause. Objects read back get their defaults too.
/// </summary>
public sealed class CustomResourceValidator
{
    private const string BlockingMessage = "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";

    private readonly Dictionary<string, CrdVersion> _versions = new(StringComparer.Ordinal);

    /// <summary>Loads every CustomResourceDefinition in the YAML files of a folder; an invalid one fails as kube-apiserver refuses it.</summary>
    public static CustomResourceValidator FromDirectory(string directory)
    {
        var validator = new CustomResourceValidator();
        foreach (var file in Directory.EnumerateFiles(directory, "*.yaml").Order(StringComparer.Ordinal))
        {
            foreach (var document in YamlDocuments.Load(file).OfType<JsonObject>())
            {
                if (document["kind"]?.GetValue<string>() == "CustomResourceDefinition")
                {
                    validator.Add(document);
                }
            }
        }

        return validator;
    }

    /// <summary>Compiles a CRD (as JSON) and serves its validation; throws <see cref="CrdInvalidException"/> as kube-apiserver would refuse it.</summary>
    public void Add(JsonObject crd)
    {
        foreach (var version in CrdCompiler.Compile(crd))
        {
            _versions[Key(version.Group, version.Version, version.Plural)] = version;
        }
    }

    /// <summary>Estimated cost of all rules of a served version, for tests that watch the budget.</summary>
    public double TotalCost(string group, string version, string plural) =>
        _versions.TryGetValue(Key(group, version, plural), out var v) ? v.TotalCost : 0;

    /// <summary>Each rule of a served version with its estimated cost (times its node's cardinality).</summary>
    public IEnumerable<(string Rule, double Cost)> RuleCosts(string group, string version, string plural)
    {
        if (!_versions.TryGetValue(Key(group, version, plural), out var v))
        {
            return [];
        }

        static IEnumerable<CompiledSchema> All(CompiledSchema s) =>
            new[] { s }.Concat(s.Properties.Values.SelectMany(All))
                .Concat(s.Items is null ? [] : All(s.Items))
                .Concat(s.AdditionalProperties is null ? [] : All(s.AdditionalProperties));
        return [.. All(v.Schema).SelectMany(s => s.Rules).Select(r => (r.Rule.Rule, r.Cost))];
    }

    internal bool Serves(ResourceDefinition resource) => _versions.ContainsKey(Key(resource));

    /// <summary>The structural schema of a served custom resource, for typing it in admission policies.</summary>
    internal SchemaNode? SchemaOf(ResourceDefinition resource) => _versions.TryGetValue(Key(resource), out var v) ? v.Schema.Node : null;

    /// <summary>What reading from storage does to an object: unknown fields pruned, defaults applied.</summary>
    internal void ApplyDefaults(ResourceDefinition resource, JsonObject obj)
    {
        if (_versions.TryGetValue(Key(resource), out var version))
        {
            Read(version.Schema.Node, obj);
        }
    }

    private static void Read(SchemaNode schema, JsonObject obj)
    {
        SchemaPruning.Prune(schema, obj);
        SchemaDefaulting.Apply(schema, obj);
    }

    /// <summary>
    /// Defaults and prunes <paramref name="obj"/> in place, then validates it against the schema
    /// and, if that found nothing blocking, the rules, with <paramref name="old"/> (null on create)
    /// for transition rules.
    /// </summary>
    internal void Validate(ResourceDefinition resource, JsonObject obj, JsonObject? old, ApiRequest request) =>
        Validate(resource, obj, old, request.Warnings, request.Query("fieldValidation") == "Strict");

    /// <param name="strict">fieldValidation=Strict (kubectl's default): an unknown field is a 400, not a warning.</param>
    internal void Validate(ResourceDefinition resource, JsonObject obj, JsonObject? old, List<string> warnings, bool strict = false)
    {
        if (!_versions.TryGetValue(Key(resource), out var version))
        {
            return;
        }

        var schema = version.Schema.Node;
        SchemaDefaulting.Apply(schema, obj);
        var pruned = SchemaPruning.Prune(schema, obj);
        if (strict && pruned.Count > 0)
        {
            throw StatusBodies.BadRequest("strict decoding error: " + string.Join(", ", pruned.Select(p => $"unknown field \"{p}\"")));
        }

        warnings.AddRange(pruned.Select(p => $"unknown field \"{p}\""));
        JsonObject? oldDefaulted = null;
        if (old is not null)
        {
            oldDefaulted = (JsonObject)old.DeepClone();
            Read(schema, oldDefaulted);
        }

        var errors = new List<FieldError>();
        SchemaValidation.Validate(schema, obj, "", errors, isRoot: true);
        if (errors.Any(e => e.Blocking))
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "", null, BlockingMessage));
        }
        else
        {
            RuleEvaluation.Validate(version.Schema, obj, oldDefaulted, oldDefaulted is not null, "", errors, warnings);
        }

        if (errors.Count > 0)
        {
            throw StatusBodies.Invalid(resource, Storage.Meta.Name(obj), errors);
        }
    }

    private static string Key(ResourceDefinition r) => Key(r.Group, r.Version, r.Plural);

    private static string Key(string group, string version, string plural) => $"{plural}.{group}/{version}";
}
