using global::Cel;

namespace Admission.TestApiServer.Cel;

/// <summary>optional_type: what oldSelf is for a rule with optionalOldSelf (none on create).</summary>
internal sealed record CelOptional(object? Value, bool HasValue)
{
    public static readonly CelOptional None = new(null, false);
}

/// <summary>A rule that failed to evaluate (no such key, no matching overload...), in cel-go's words.</summary>
internal sealed class CelEvaluationException(string message) : Exception(message);

/// <summary>
/// Evaluation with the Cel package: one environment with the optional-type functions Kubernetes
/// rules use (hasValue, value, orValue), and the conversion of JSON values to what CEL sees for
/// them under a schema (date-time strings are timestamps, integers int, objects maps).
/// </summary>
internal static partial class CelRuntime
{
    private static readonly Lock Gate = new();
    private static readonly CelEnvironment Environment = CreateEnvironment();

    public static CelProgramDelegate Compile(string expression)
    {
        lock (Gate)
        {
            return Environment.Compile(expression);
        }
    }

    public static object? Evaluate(CelProgramDelegate program, IDictionary<string, object?> variables)
    {
        try
        {
            lock (Gate)
            {
                return program(variables!);
            }
        }
        catch (CelNoSuchFieldException e)
        {
            throw new CelEvaluationException($"no such key: {FieldName(e.Message)}");
        }
        catch (CelException e)
        {
            throw new CelEvaluationException(e.Message);
        }
        catch (InvalidOperationException e)
        {
            throw new CelEvaluationException(e.Message);
        }
    }

    /// <summary>The value CEL sees for <paramref name="node"/> under <paramref name="schema"/> (UnstructuredToVal).</summary>
    public static object? ToCel(JsonNode? node, SchemaNode? schema)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject obj:
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (name, value) in obj)
                {
                    var child = schema?.Properties.GetValueOrDefault(name) ?? schema?.AdditionalProperties;
                    map[name] = ToCel(value, child);
                }

                return map;
            case JsonArray array:
                return array.Select(item => ToCel(item, schema?.Items)).ToList();
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        var text = value.GetValue<string>();
                        return schema?.Format == "date-time" && Formats.TryParseDateTime(text, out var instant) ? instant : text;
                    case JsonValueKind.Number:
                        var raw = value.ToJsonString();
                        return long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
                            ? integer
                            : double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
                    case JsonValueKind.True:
                        return true;
                    case JsonValueKind.False:
                        return false;
                    default:
                        return null;
                }

            default:
                return null;
        }
    }

    private static CelEnvironment CreateEnvironment()
    {
        var environment = new CelEnvironment(null, "");
        // The package's has() knows strings, numbers, lists and maps, not timestamps; a present
        // date-time field is, after all, present.
        environment.RegisterFunction("has", [typeof(DateTimeOffset)], _ => true);
        environment.RegisterFunction("hasValue", [typeof(CelOptional)], args => args[0] is CelOptional { HasValue: true });
        environment.RegisterFunction("value", [typeof(CelOptional)], args => args[0] is CelOptional { HasValue: true } o
            ? o.Value
            : throw new InvalidOperationException("optional.none() dereference"));
        environment.RegisterFunction("orValue", [typeof(CelOptional), typeof(object)], args => args[0] is CelOptional { HasValue: true } o ? o.Value : args[1]);
        return environment;
    }

    private static string FieldName(string message) => SelectedField().Match(message) is { Success: true } m ? m.Groups[1].Value : message;

    [GeneratedRegex("select field '([^']*)'")]
    private static partial Regex SelectedField();
}
