namespace Admission.Policies;

/// <summary>A guarded kind, written in the policy as <c>group/Kind</c> (core group: <c>Kind</c>).</summary>
public sealed record WorkloadKind(string Group, string Kind)
{
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
    public string Plural
    {
        get
        {
            var lower = Kind.ToLowerInvariant();
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
    }

    public override string ToString() => Group.Length == 0 ? Kind : Group + "/" + Kind;
}
