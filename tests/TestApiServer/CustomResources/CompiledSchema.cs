using global::Cel;

namespace Admission.TestApiServer.CustomResources;

/// <summary>One rule as kube-apiserver keeps it once compiled.</summary>
/// <param name="FieldPath">The rule's fieldPath without its leading dot ("expiresAt"), or "".</param>
/// <param name="Cost">Estimated worst-case cost of one evaluation times how often the node can occur.</param>
internal sealed record CompiledRule(
    ValidationRule Rule, CelProgramDelegate Program, CelProgramDelegate? MessageProgram, bool UsesOldSelf, string FieldPath, double Cost)
{
    public bool OptionalOldSelf => Rule.OptionalOldSelf == true;

    /// <summary>ruleErrorString: the message, or the rule itself.</summary>
    public string ErrorString => string.IsNullOrWhiteSpace(Rule.Message) ? Rule.Rule.Trim() : Rule.Message.Trim();

    /// <summary>ruleMessageOrDefault.</summary>
    public string DefaultMessage => string.IsNullOrWhiteSpace(Rule.Message) ? $"failed rule: {ErrorString}" : Rule.Message.Trim();
}

/// <summary>A schema node with its compiled rules, and its children likewise.</summary>
internal sealed class CompiledSchema
{
    public required SchemaNode Node { get; init; }

    public IReadOnlyList<CompiledRule> Rules { get; init; } = [];

    public IReadOnlyDictionary<string, CompiledSchema> Properties { get; init; } = new Dictionary<string, CompiledSchema>();

    public CompiledSchema? Items { get; init; }

    public CompiledSchema? AdditionalProperties { get; init; }
}
