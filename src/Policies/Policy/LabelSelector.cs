namespace Admission.Policies;

/// <summary>A metav1.LabelSelector: matchLabels and matchExpressions, all of which must hold.</summary>
public sealed record LabelSelector(
    IReadOnlyDictionary<string, string> MatchLabels,
    IReadOnlyList<LabelSelectorRequirement> MatchExpressions)
{
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        // Every guarded review asks: the policy's own dictionary and list are walked without the
        // enumerators an interface hands out, which are allocated.
        if (MatchLabels is Dictionary<string, string> own)
        {
            foreach (var (key, value) in own)
            {
                if (!labels.TryGetValue(key, out var actual) || actual != value) return false;
            }
        }
        else
        {
            foreach (var (key, value) in MatchLabels)
            {
                if (!labels.TryGetValue(key, out var actual) || actual != value) return false;
            }
        }
        for (var i = 0; i < MatchExpressions.Count; i++)
        {
            if (!MatchExpressions[i].Matches(labels)) return false;
        }
        return true;
    }

    /// <summary>An empty selector would match every namespace, which is what a user asks for when they write one.</summary>
    public bool IsEmpty => MatchLabels.Count == 0 && MatchExpressions.Count == 0;

    public override string ToString() =>
        string.Join(",", MatchLabels.Select(kv => $"{kv.Key}={kv.Value}").Concat(MatchExpressions.Select(e => e.ToString())));
}

public sealed record LabelSelectorRequirement(string Key, string Operator, IReadOnlyList<string> Values)
{
    public static readonly IReadOnlyList<string> Operators = ["In", "NotIn", "Exists", "DoesNotExist"];

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var has = labels.TryGetValue(Key, out var value);
        return Operator switch
        {
            "In" => has && Values.Contains(value!),
            "NotIn" => !has || !Values.Contains(value!),
            "Exists" => has,
            "DoesNotExist" => !has,
            _ => false,
        };
    }

    public override string ToString() => Operator switch
    {
        "Exists" => Key,
        "DoesNotExist" => "!" + Key,
        _ => $"{Key} {Operator.ToLowerInvariant()} ({string.Join(",", Values)})",
    };
}
