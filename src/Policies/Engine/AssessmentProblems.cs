namespace Admission.Policies;

/// <summary>
/// What keeps one targeting approval from admitting a request: the words and, for each, its
/// cause code. The lists are made on the first problem, so an approval that admits (the common
/// case on the webhook's hot path) costs no allocation here beyond this object.
/// </summary>
public sealed class AssessmentProblems(string approvalName)
{
    private List<string>? _texts;
    private List<DenialCause>? _causes;

    public IReadOnlyList<string> Texts => (IReadOnlyList<string>?)_texts ?? [];

    public IReadOnlyList<DenialCause> Causes => (IReadOnlyList<DenialCause>?)_causes ?? [];

    public void Add(string code, string text)
    {
        (_texts ??= []).Add(text);
        (_causes ??= []).Add(new DenialCause(approvalName, code, text));
    }
}
