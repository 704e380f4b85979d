namespace Admission.Policies;

/// <summary>A guarded kind, written in the policy as <c>group/Kind</c> (core group: <c>Kind</c>).</summary>
public sealed record WorkloadKind(string Group, string Kind)
{
    private readonly string _kind = Kind;
    // Worked out with the kind, not at each read: every review looks its resource up by plural.
    // A function of the kind alone, so equality and hashing still depend on the group and kind only.
    private readonly string _plural = PluralOf(Kind);

    public string Kind
    {
        get => _kind;
        init
        {
            _kind = value;
            _plural = PluralOf(value);
        }
    }

    public static bool TryParse(string text, out WorkloadKind kind)
    {
        kind = null!;
        var slash = text.LastIndexOf('/');
        var group = slash < 0 ? "" : text[..slash];
        var name = slash < 0 ? text : text[(slash + 1)..];
        if (name.Length == 0 || !char.IsUpper(name[0]) || name.Any(c => !char.IsAsciiLetterOrDigit(c)) || group.Contains('/'))
        {
            return false;
        }
        kind = new WorkloadKind(group, name);
        return true;
    }

    /// <summary>The plural resource kube-apiserver would use for this kind (regular English plural rules).</summary>
    public string Plural => _plural;

    private static string PluralOf(string kind)
    {
        var lower = kind.ToLowerInvariant();
        if (lower.EndsWith('s') || lower.EndsWith('x') || lower.EndsWith("ch", StringComparison.Ordinal) || lower.EndsWith("sh", StringComparison.Ordinal))
        {
            return lower + "es";
        }
        if (lower.EndsWith('y') && lower.Length > 1 && !"aeiou".Contains(lower[^2]))
        {
            return lower[..^1] + "ies";
        }
        return lower + "s";
    }

    private static readonly string[] PodSpecOfPod = ["spec"];
    private static readonly string[] PodSpecOfCronJob = ["spec", "jobTemplate", "spec", "template", "spec"];
    private static readonly string[] PodSpecOfTemplate = ["spec", "template", "spec"];

    /// <summary>
    /// Where this kind's containers are: <c>spec</c> for a Pod, the job template's pod template for a
    /// CronJob, <c>spec.template.spec</c> for every other kind (built-in or custom, such as an Argo Rollout).
    /// </summary>
    public IReadOnlyList<string> PodSpecPath =>
        IsPod ? PodSpecOfPod : Group == "batch" && Kind == "CronJob" ? PodSpecOfCronJob : PodSpecOfTemplate;

    /// <summary>The pod template's metadata (where <c>kubectl rollout restart</c> writes), or null for a Pod, which has none.</summary>
    public IReadOnlyList<string>? TemplateMetadataPath => IsPod ? null : [.. PodSpecPath.Take(PodSpecPath.Count - 1), "metadata"];

    public bool IsPod => Group.Length == 0 && Kind == "Pod";

    public override string ToString() => Group.Length == 0 ? Kind : Group + "/" + Kind;
}
