namespace Admission.TestApiServer.Cel;

/// <summary>A failure kube-apiserver reports when it compiles a rule.</summary>
internal sealed class CelCompileException(string message) : Exception(message);

/// <summary>What checking one expression found: its type, its estimated worst-case cost, whether it reads oldSelf.</summary>
internal sealed record CheckedExpression(CelType Type, double Cost, bool UsesOldSelf);

/// <summary>
/// The static checks kube-apiserver makes when it compiles a CEL expression, as far as this
/// stand-in follows them: every identifier and object field is declared, the result type, and the
/// worst-case cost in the spirit of cel-go's checker.CostEstimator with Kubernetes' size
/// estimates (maxLength, maxItems, maxProperties, or, where a schema sets none, what fits in a
/// 3 MiB request). Overloads are not checked beyond the result type; what is approximated is
/// listed in README.md.
/// </summary>
internal sealed class CelChecker
{
    /// <summary>kube-apiserver's maximum request body, the bound for sizes a schema leaves open.</summary>
    public const double MaxRequestSizeBytes = 3 * 1024 * 1024;

    private const double StringTraversalCostFactor = 0.1;
    private const double RegexStringLengthCostFactor = 0.25;
    private const double ListCreateBaseCost = 10;
    private const double MapCreateBaseCost = 30;

    private static readonly HashSet<string> BoolFunctions =
        ["_==_", "_!=_", "_<_", "_<=_", "_>_", "_>=_", "_&&_", "_||_", "!_", "@in", "matches", "startsWith", "endsWith", "contains", "hasValue", "isSorted"];

    private readonly Dictionary<string, CelType> _variables;
    private bool _usesOldSelf;

    public CelChecker(IReadOnlyDictionary<string, CelType> variables)
    {
        _variables = new Dictionary<string, CelType>(variables, StringComparer.Ordinal);
    }

    public CheckedExpression Check(CelExpr expression)
    {
        _usesOldSelf = false;
        var (type, cost) = Visit(expression);
        return new CheckedExpression(type, cost, _usesOldSelf);
    }

    private (CelType Type, double Cost) Visit(CelExpr expression)
    {
        switch (expression)
        {
            case CelLiteral literal:
                return (LiteralType(literal), 0);
            case CelIdent ident:
                if (ident.Name == "oldSelf")
                {
                    _usesOldSelf = true;
                }

                return _variables.TryGetValue(ident.Name, out var variable)
                    ? (variable, 1)
                    : ident.Name is "int" or "uint" or "double" or "string" or "bool" or "bytes" or "list" or "map" or "null_type" or "type"
                        ? (new CelType("type"), 0)
                        : throw new CelCompileException($"undeclared reference to '{ident.Name}' (in container '')");
            case CelSelect select:
                var (operand, operandCost) = Visit(select.Operand);
                var field = FieldType(operand, select.Field);
                return (select.TestOnly ? CelType.Bool : field, operandCost + 1);
            case CelList list:
                var elements = list.Elements.Select(Visit).ToList();
                var elementType = elements.Select(e => e.Type).Distinct().Count() == 1 ? elements[0].Type : CelType.Dyn;
                return (CelType.ListOf(elementType, list.Elements.Count), ListCreateBaseCost + elements.Sum(e => e.Cost));
            case CelMap map:
                var entries = map.Entries.Select(e => (Key: Visit(e.Key), Value: Visit(e.Value))).ToList();
                return (CelType.MapOf(CelType.Dyn, CelType.Dyn, map.Entries.Count),
                    MapCreateBaseCost + entries.Sum(e => e.Key.Cost + e.Value.Cost));
            case CelComprehension comprehension:
                return VisitComprehension(comprehension);
            case CelCall call:
                return VisitCall(call);
            default:
                throw new CelCompileException("unsupported expression");
        }
    }

    private (CelType, double) VisitComprehension(CelComprehension c)
    {
        var (range, rangeCost) = Visit(c.Range);
        var element = range.Kind switch
        {
            "list" => range.Element ?? CelType.Dyn,
            "map" => range.Element ?? CelType.Dyn,
            "dyn" => CelType.Dyn,
            _ => throw new CelCompileException($"expression of type '{range}' cannot be range of a comprehension (must be list, map, or dynamic)"),
        };
        var shadowed = _variables.TryGetValue(c.Variable, out var previous);
        _variables[c.Variable] = element;
        try
        {
            var (bodyType, bodyCost) = Visit(c.Body);
            var transformCost = 0.0;
            CelType? transformType = null;
            if (c.Transform is not null)
            {
                (transformType, transformCost) = Visit(c.Transform);
            }

            var n = MaxSize(range);
            // Each iteration: the loop condition and step (one call each), the body, and for
            // filter and map the append to the result list.
            var perIteration = bodyCost + transformCost + (c.Macro is "filter" or "map" ? 3 : 2);
            var cost = rangeCost + (n * perIteration);
            var type = c.Macro switch
            {
                "filter" => CelType.ListOf(element, range.MaxSize ?? null) with { Schema = range.Schema },
                "map" => CelType.ListOf(transformType ?? bodyType, range.MaxSize),
                _ => CelType.Bool,
            };
            return (type, cost);
        }
        finally
        {
            if (shadowed)
            {
                _variables[c.Variable] = previous!;
            }
            else
            {
                _variables.Remove(c.Variable);
            }
        }
    }

    private (CelType, double) VisitCall(CelCall call)
    {
        var target = call.Target is null ? ((CelType, double)?)null : Visit(call.Target);
        var args = call.Args.Select(Visit).ToList();
        var argCost = args.Sum(a => a.Cost) + (target?.Item2 ?? 0);
        var receiver = target?.Item1 ?? (args.Count > 0 ? args[0].Type : CelType.Dyn);
        switch (call.Function)
        {
            case "_&&_" or "_||_":
                return (CelType.Bool, argCost);
            case "_?_:_":
                var (t, f) = (args[1].Type, args[2].Type);
                var type = t.Kind == f.Kind && !t.IsDyn ? t : t.Kind == "null_type" ? f : f.Kind == "null_type" ? t : CelType.Dyn;
                return (type, args[0].Cost + Math.Max(args[1].Cost, args[2].Cost));
            case "_==_" or "_!=_":
                return (CelType.Bool, argCost + 1 + Math.Ceiling(StringTraversalCostFactor * Math.Min(TraversalSize(args[0].Type), TraversalSize(args[1].Type))));
            case "_<_" or "_<=_" or "_>_" or "_>=_":
                return (CelType.Bool, argCost + 1 + (args[0].Type.Kind is "string" or "bytes"
                    ? Math.Ceiling(StringTraversalCostFactor * Math.Min(MaxSize(args[0].Type), MaxSize(args[1].Type)))
                    : 0));
            case "@in":
                return (CelType.Bool, argCost + 1 + (args[1].Type.Kind == "list" ? MaxSize(args[1].Type) : 0));
            case "contains" or "startsWith" or "endsWith":
                return (CelType.Bool, argCost + 1 + Math.Ceiling(StringTraversalCostFactor * MaxSize(receiver)));
            case "matches":
                var pattern = args.Count > 0 ? MaxSize(args[^1].Type) : 1;
                return (CelType.Bool, argCost + 1 + (Math.Ceiling(StringTraversalCostFactor * MaxSize(receiver)) * Math.Ceiling(RegexStringLengthCostFactor * pattern)));
            case "_[_]":
                return (IndexType(args[0].Type), argCost + 1);
            case "_+_":
                return (AddType(args[0].Type, args[1].Type), argCost + 1 + (args[0].Type.Kind is "string" or "list"
                    ? Math.Ceiling(StringTraversalCostFactor * (MaxSize(args[0].Type) + MaxSize(args[1].Type)))
                    : 0));
            case "_-_":
                return (SubtractType(args[0].Type, args[1].Type), argCost + 1);
            case "_*_" or "_/_" or "_%_" or "-_":
                return (args[0].Type, argCost + 1);
            case "size":
                return (CelType.Int, argCost + 1);
            case "timestamp":
                return (CelType.Timestamp, argCost + 1);
            case "duration":
                return (CelType.Duration, argCost + 1);
            case "int" or "getFullYear" or "getMonth" or "getDate" or "getDayOfMonth" or "getDayOfWeek" or "getDayOfYear" or "getHours" or "getMinutes" or "getSeconds" or "getMilliseconds":
                return (CelType.Int, argCost + 1);
            case "uint":
                return (CelType.Uint, argCost + 1);
            case "double":
                return (CelType.Double, argCost + 1);
            case "string":
                return (CelType.String with { MaxSize = args.Count > 0 ? MaxSize(args[0].Type) : null }, argCost + 1);
            case "bytes":
                return (CelType.Bytes, argCost + 1);
            case "bool":
                return (CelType.Bool, argCost + 1);
            case "dyn":
                return (CelType.Dyn, argCost);
            case "value" when receiver.Kind == "optional_type":
                return (receiver.Element ?? CelType.Dyn, argCost + 1);
            case "orValue" when receiver.Kind == "optional_type":
                return (receiver.Element ?? CelType.Dyn, argCost + 1);
            case "hasValue" when receiver.Kind is "optional_type" or "dyn":
                return (CelType.Bool, argCost + 1);
            case "hasValue" or "value" or "orValue":
                throw new CelCompileException($"found no matching overload for '{call.Function}' applied to '{receiver}.()'");
            case var name when BoolFunctions.Contains(name):
                return (CelType.Bool, argCost + 1);
            default:
                return (CelType.Dyn, argCost + 1);
        }
    }

    private static CelType LiteralType(CelLiteral literal) => literal.Kind switch
    {
        "int" => CelType.Int,
        "uint" => CelType.Uint,
        "double" => CelType.Double,
        // The quotes are in the text; the size is a bound, so leaving them in is harmless.
        "string" => CelType.String with { MaxSize = literal.Text.Length },
        "bytes" => CelType.Bytes with { MaxSize = literal.Text.Length },
        "bool" => CelType.Bool,
        _ => CelType.Null,
    };

    private static CelType FieldType(CelType operand, string field)
    {
        switch (operand.Kind)
        {
            case "object":
                if (operand.Schema!.Properties.TryGetValue(field, out var property))
                {
                    return CelType.FromSchema(property);
                }

                throw new CelCompileException($"undefined field '{field}'");
            case "map":
                return operand.Value ?? CelType.Dyn;
            case "dyn":
                return CelType.Dyn;
            default:
                throw new CelCompileException($"type '{operand}' does not support field selection");
        }
    }

    private static CelType IndexType(CelType operand) => operand.Kind switch
    {
        "list" => operand.Element ?? CelType.Dyn,
        "map" => operand.Value ?? CelType.Dyn,
        _ => CelType.Dyn,
    };

    private static CelType AddType(CelType left, CelType right) => (left.Kind, right.Kind) switch
    {
        ("list", "list") => CelType.ListOf(left.Element ?? CelType.Dyn, Sum(left.MaxSize, right.MaxSize)),
        ("string", "string") => CelType.String with { MaxSize = Sum(left.MaxSize, right.MaxSize) },
        ("timestamp", _) or (_, "timestamp") => CelType.Timestamp,
        _ when left.IsDyn => right,
        _ => left,
    };

    private static CelType SubtractType(CelType left, CelType right) => (left.Kind, right.Kind) switch
    {
        ("timestamp", "timestamp") => CelType.Duration,
        ("timestamp", _) => CelType.Timestamp,
        _ when left.IsDyn => right,
        _ => left,
    };

    private static double? Sum(double? a, double? b) => a is null || b is null ? null : a + b;

    /// <summary>The largest number of items or characters a value of this type can have.</summary>
    public static double MaxSize(CelType type) => type.MaxSize ?? type.Kind switch
    {
        "list" => Math.Floor((MaxRequestSizeBytes - 2) / (MinSerializedSize(type.Element) + 1)),
        "map" => Math.Floor((MaxRequestSizeBytes - 2) / (MinSerializedSize(type.Value) + 4)),
        "string" or "bytes" or "dyn" => MaxRequestSizeBytes - 2,
        _ => 1,
    };

    /// <summary>How many size units comparing two values of this type walks through, at most.</summary>
    private static double TraversalSize(CelType type) => type.Kind switch
    {
        "string" or "bytes" => MaxSize(type),
        "list" => MaxSize(type) * (1 + TraversalSize(type.Element ?? CelType.Dyn)),
        "map" => MaxSize(type) * (1 + TraversalSize(type.Value ?? CelType.Dyn)),
        "object" => type.Schema!.Properties.Values.Sum(p => 1 + TraversalSize(CelType.FromSchema(p))),
        "dyn" => MaxRequestSizeBytes,
        _ => 1,
    };

    /// <summary>The fewest bytes one JSON value of this type takes, as Kubernetes' estimator counts them.</summary>
    public static double MinSerializedSize(CelType? type) => type?.Kind switch
    {
        "string" or "bytes" => 2,
        "bool" => 4,
        "timestamp" or "duration" => 4,
        "int" or "uint" or "double" => 1,
        "list" or "map" or "object" => 2,
        _ => 1,
    };

    internal static CelType ForSchema(SchemaNode schema) => CelType.FromSchema(schema);
}
