using k8s;

namespace Admission.Chart.Tests.Infrastructure;

/// <summary>
/// Reads a JSON object strictly into a typed model. KubernetesYaml.Deserialize (like a default
/// System.Text.Json read) silently drops fields the model does not know, so a misspelled
/// `readOnlyRootFilesytem` would pass unnoticed. Here:
/// 1. the read uses KubernetesClient's own JSON options with unmapped members disallowed, and
/// 2. the model is written back out and compared with the input tree: a key the model dropped
///    (an unknown field, a wrong case, a value of the wrong shape) or a value that reads back
///    differently fails, naming the key path.
/// Keys whose input value is null are ignored (a null field means "not set" to the API server).
/// </summary>
internal static class StrictJson
{
    private static readonly Lazy<JsonSerializerOptions> LazyOptions = new(CreateOptions);

    public static JsonSerializerOptions Options => LazyOptions.Value;

    public static T Read<T>(JsonNode input, string what)
        where T : class
    {
        var json = input.ToJsonString();
        T? model;
        try
        {
            model = JsonSerializer.Deserialize<T>(json, Options);
        }
        catch (JsonException e)
        {
            var at = string.IsNullOrEmpty(e.Path) ? "" : $" at {e.Path.TrimStart('$').TrimStart('.')}";
            throw new StrictReadException($"{what}: cannot read as {typeof(T).Name}{at}: {e.Message}", e);
        }

        if (model is null)
        {
            throw new StrictReadException($"{what}: read as {typeof(T).Name} gave null");
        }

        var roundTrip = JsonNode.Parse(JsonSerializer.Serialize(model, Options));
        var problems = new List<string>();
        Compare(StripNulls(input), roundTrip, "", problems);
        if (problems.Count > 0)
        {
            throw new StrictReadException(
                $"{what}: not a valid {typeof(T).Name}:\n  " + string.Join("\n  ", problems));
        }

        return model;
    }

    private static JsonSerializerOptions CreateOptions()
    {
        JsonSerializerOptions? k8sOptions = null;
        KubernetesJson.AddJsonOptions(o => k8sOptions = o);
        if (k8sOptions is null)
        {
            throw new InvalidOperationException("KubernetesJson did not expose its JSON options");
        }

        return new JsonSerializerOptions(k8sOptions)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            PropertyNameCaseInsensitive = false,
        };
    }

    private static JsonNode? StripNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (value is not null)
                    {
                        copy[key] = StripNulls(value);
                    }
                }

                return copy;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array)
                {
                    items.Add(StripNulls(item));
                }

                return items;
            default:
                return node?.DeepClone();
        }
    }

    private static void Compare(JsonNode? expected, JsonNode? actual, string path, List<string> problems)
    {
        switch (expected)
        {
            case JsonObject e:
                if (actual is not JsonObject ao)
                {
                    problems.Add($"{Show(path)}: an object was read back as {Describe(actual)}");
                    return;
                }

                foreach (var (key, value) in e)
                {
                    var child = $"{path}.{key}";
                    if (!ao.TryGetPropertyValue(key, out var back))
                    {
                        problems.Add($"{Show(child)}: unknown field (the model has no such property)");
                        continue;
                    }

                    Compare(value, back, child, problems);
                }

                break;
            case JsonArray e:
                if (actual is not JsonArray aa || aa.Count != e.Count)
                {
                    problems.Add($"{Show(path)}: a list of {e.Count} was read back as {Describe(actual)}");
                    return;
                }

                for (var i = 0; i < e.Count; i++)
                {
                    Compare(e[i], aa[i], $"{path}[{i}]", problems);
                }

                break;
            case JsonValue e:
                if (actual is not JsonValue av || !ScalarEquals(e, av))
                {
                    problems.Add($"{Show(path)}: {e.ToJsonString()} was read back as {Describe(actual)}");
                }

                break;
            case null:
                break;
        }
    }

    private static bool ScalarEquals(JsonValue expected, JsonValue actual)
    {
        if (JsonNode.DeepEquals(expected, actual))
        {
            return true;
        }

        // The same number written differently (5 vs 5.0) is the same value.
        return expected.GetValueKind() == JsonValueKind.Number
            && actual.GetValueKind() == JsonValueKind.Number
            && expected.GetValue<double>().Equals(actual.GetValue<double>());
    }

    private static string Show(string path) => path.Length == 0 ? "(root)" : path[1..];

    private static string Describe(JsonNode? node) => node is null ? "nothing" : node.ToJsonString();
}

internal sealed class StrictReadException : Exception
{
    public StrictReadException(string message)
        : base(message)
    {
    }

    public StrictReadException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public StrictReadException()
    {
    }
}
