using Antlr4.Runtime;
using Cel;
using Cel.Internal;

namespace Admission.TestApiServer.Cel;

/// <summary>
/// A CEL expression as a small tree, built from the Cel package's parse tree, for what the package
/// does not do itself and kube-apiserver does at CRD creation: type-check the result and estimate
/// the cost. Operators are calls named as in cel-go ("_==_", "_&&_", "_[_]"...).
/// </summary>
internal abstract record CelExpr;

internal sealed record CelLiteral(string Kind, string Text) : CelExpr;

internal sealed record CelIdent(string Name) : CelExpr;

/// <param name="TestOnly">has(operand.field).</param>
internal sealed record CelSelect(CelExpr Operand, string Field, bool TestOnly) : CelExpr;

internal sealed record CelCall(CelExpr? Target, string Function, IReadOnlyList<CelExpr> Args) : CelExpr;

internal sealed record CelList(IReadOnlyList<CelExpr> Elements) : CelExpr;

internal sealed record CelMap(IReadOnlyList<(CelExpr Key, CelExpr Value)> Entries) : CelExpr;

/// <summary>all, exists, exists_one, filter and map: one variable over a list (or a map's keys).</summary>
internal sealed record CelComprehension(string Macro, CelExpr Range, string Variable, CelExpr Body, CelExpr? Transform) : CelExpr;

/// <summary>A parse failure, with cel-go's "ERROR: &lt;input&gt;:line:column: message" shape.</summary>
internal sealed class CelSyntaxException(string message) : Exception(message);

internal static class CelAst
{
    private static readonly HashSet<string> Macros = ["all", "exists", "exists_one", "filter", "map"];

    public static CelExpr Parse(string text)
    {
        var lexer = new CelLexer(new AntlrInputStream(text));
        var parser = new CelParser(new CommonTokenStream(lexer));
        var errors = new SyntaxErrors();
        lexer.RemoveErrorListeners();
        parser.RemoveErrorListeners();
        lexer.AddErrorListener(errors);
        parser.AddErrorListener(errors);
        var start = parser.start();
        if (errors.First is { } first)
        {
            throw new CelSyntaxException(first);
        }

        return Convert(start.expr());
    }

    private static CelExpr Convert(CelParser.ExprContext e) =>
        e.op is null
            ? Convert(e.e)
            : new CelCall(null, "_?_:_", [Convert(e.e), Convert(e.e1), Convert(e.e2)]);

    private static CelExpr Convert(CelParser.ConditionalOrContext c) =>
        c.conditionalAnd().Skip(1).Aggregate(Convert(c.conditionalAnd(0)), (l, r) => new CelCall(null, "_||_", [l, Convert(r)]));

    private static CelExpr Convert(CelParser.ConditionalAndContext c) =>
        c.relation().Skip(1).Aggregate(Convert(c.relation(0)), (l, r) => new CelCall(null, "_&&_", [l, Convert(r)]));

    private static CelExpr Convert(CelParser.RelationContext r) =>
        r.calc() is { } calc
            ? Convert(calc)
            : new CelCall(null, r.op.Text == "in" ? "@in" : $"_{r.op.Text}_", [Convert(r.relation(0)), Convert(r.relation(1))]);

    private static CelExpr Convert(CelParser.CalcContext c) =>
        c.unary() is { } unary
            ? Convert(unary)
            : new CelCall(null, $"_{c.op.Text}_", [Convert(c.calc(0)), Convert(c.calc(1))]);

    private static CelExpr Convert(CelParser.UnaryContext u) => u switch
    {
        CelParser.MemberExprContext m => Convert(m.member()),
        CelParser.LogicalNotContext n => n._ops.Count % 2 == 1 ? new CelCall(null, "!_", [Convert(n.member())]) : Convert(n.member()),
        CelParser.NegateContext n => n._ops.Count % 2 == 1 ? new CelCall(null, "-_", [Convert(n.member())]) : Convert(n.member()),
        _ => throw new CelSyntaxException($"unsupported expression '{u.GetText()}'"),
    };

    private static CelExpr Convert(CelParser.MemberContext m)
    {
        switch (m)
        {
            case CelParser.PrimaryExprContext p:
                return Convert(p.primary());
            case CelParser.SelectContext s:
                return new CelSelect(Convert(s.member()), s.id.Text, false);
            case CelParser.IndexContext i:
                return new CelCall(null, "_[_]", [Convert(i.member()), Convert(i.index)]);
            case CelParser.MemberCallContext call:
                var args = call.args?.expr().Select(Convert).ToList() ?? [];
                var target = Convert(call.member());
                if (Macros.Contains(call.id.Text) && args.Count is 2 or 3 && args[0] is CelIdent variable)
                {
                    return args.Count == 3
                        ? new CelComprehension(call.id.Text, target, variable.Name, args[1], args[2])
                        : new CelComprehension(call.id.Text, target, variable.Name, args[1], null);
                }

                return new CelCall(target, call.id.Text, args);
            default:
                throw new CelSyntaxException($"unsupported expression '{m.GetText()}'");
        }
    }

    private static CelExpr Convert(CelParser.PrimaryContext p)
    {
        switch (p)
        {
            case CelParser.IdentOrGlobalCallContext id when id.op is null:
                return new CelIdent(id.id.Text);
            case CelParser.IdentOrGlobalCallContext call:
                var args = call.args?.expr().Select(Convert).ToList() ?? [];
                if (call.id.Text == "has")
                {
                    return args is [CelSelect select]
                        ? select with { TestOnly = true }
                        : throw new CelSyntaxException("invalid argument to has() macro");
                }

                return new CelCall(null, call.id.Text, args);
            case CelParser.NestedContext nested:
                return Convert(nested.e);
            case CelParser.CreateListContext list:
                return new CelList(list.elems?.optExpr().Select(o => Convert(o.e)).ToList() ?? []);
            case CelParser.CreateStructContext map:
                var keys = map.entries?.optExpr().Select(o => Convert(o.e)).ToList() ?? [];
                var values = map.entries?.expr().Select(Convert).ToList() ?? [];
                return new CelMap([.. keys.Zip(values)]);
            case CelParser.ConstantLiteralContext constant:
                return constant.literal() switch
                {
                    CelParser.IntContext i => new CelLiteral("int", i.GetText()),
                    CelParser.UintContext u => new CelLiteral("uint", u.GetText()),
                    CelParser.DoubleContext d => new CelLiteral("double", d.GetText()),
                    CelParser.StringContext s => new CelLiteral("string", s.GetText()),
                    CelParser.BytesContext b => new CelLiteral("bytes", b.GetText()),
                    CelParser.BoolTrueContext or CelParser.BoolFalseContext => new CelLiteral("bool", constant.GetText()),
                    _ => new CelLiteral("null", "null"),
                };
            default:
                throw new CelSyntaxException($"unsupported expression '{p.GetText()}'");
        }
    }

    private sealed class SyntaxErrors : IAntlrErrorListener<IToken>, IAntlrErrorListener<int>
    {
        public string? First { get; private set; }

        public void SyntaxError(TextWriter output, IRecognizer recognizer, IToken offendingSymbol, int line, int charPositionInLine, string msg, RecognitionException e) =>
            First ??= $"ERROR: <input>:{line}:{charPositionInLine + 1}: Syntax error: {msg}";

        public void SyntaxError(TextWriter output, IRecognizer recognizer, int offendingSymbol, int line, int charPositionInLine, string msg, RecognitionException e) =>
            First ??= $"ERROR: <input>:{line}:{charPositionInLine + 1}: Syntax error: {msg}";
    }
}
