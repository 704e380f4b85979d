using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Admission.Policies;

internal static class Yaml
{
    public static int Line(YamlNode node) => (int)node.Start.Line;

    /// <summary>A mapping key as text; a key that is not a scalar (e.g. "[a]: b") becomes a name no known key has.</summary>
    public static string Key(YamlNode node) => node is YamlScalarNode s ? s.Value ?? "" : $"({node.NodeType.ToString().ToLowerInvariant()} used as a key)";

    public static bool IsNull(YamlScalarNode s) =>
        s.Style == ScalarStyle.Plain && s.Value is null or "" or "~" or "null" or "Null" or "NULL";

    /// <summary>YamlDotNet's messages repeat the position; keep only what the problem is.</summary>
    public static string Describe(YamlException e)
    {
        var message = e.InnerException?.Message ?? e.Message;
        var paren = message.IndexOf("): ", StringComparison.Ordinal);
        return paren >= 0 && message.StartsWith('(') ? message[(paren + 3)..] : message;
    }
}
