namespace Admission.TestApiServer.Admission;

/// <summary>A metav1.LabelSelector (matchLabels, matchExpressions) evaluated against labels.</summary>
internal static class SelectorMatcher
{
    /// <summary>An absent or empty selector matches everything, as in kube-apiserver.</summary>
    public static bool Matches(JsonNode? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (selector is not JsonObject s)
        {
            return true;
        }

        if (s["matchLabels"] is JsonObject matchLabels)
        {
            foreach (var (key, value) in matchLabels)
            {
                if (!labels.TryGetValue(key, out var actual) || actual != value?.ToString())
                {
                    return false;
                }
            }
        }

        if (s["matchExpressions"] is JsonArray expressions)
        {
            foreach (var expression in expressions.OfType<JsonObject>())
            {
                if (!MatchesExpression(expression, labels))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool MatchesExpression(JsonObject expression, IReadOnlyDictionary<string, string> labels)
    {
        var key = expression["key"]?.ToString() ?? "";
        var values = (expression["values"] as JsonArray)?.Select(v => v?.ToString() ?? "").ToHashSet(StringComparer.Ordinal) ?? [];
        var present = labels.TryGetValue(key, out var actual);
        return expression["operator"]?.ToString() switch
        {
            "In" => present && values.Contains(actual!),
            "NotIn" => !present || !values.Contains(actual!),
            "Exists" => present,
            "DoesNotExist" => !present,
            var op => throw new InvalidOperationException($"\"{op}\" is not a valid label selector operator"),
        };
    }
}
