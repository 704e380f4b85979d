using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Admission.Policies;

/// <summary>YAML loading shared by the policy and manifest readers: every failure becomes a located error.</summary>
public static class Yaml
{
    /// <summary>Loads every document, or records where the text stops being YAML and returns null.</summary>
    public static YamlStream? Load(string text, string source, List<InputError> errors)
    {
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try
        {
            stream.Load(parser);
            return stream;
        }
        catch (YamlException e)
        {
            errors.Add(new InputError(source, (int)e.Start.Line, "", "not valid YAML: " + Describe(e)));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's scanner throws these, not a YamlException, for some unclosed flow
            // collections (e.g. "[a, b" followed by another key) and for an alias where a mapping
            // key's value should start (found by fuzzing); the last event read locates it.
            var line = parser.Current is { } last ? (int)last.Start.Line : 1;
            line = Math.Min(line, text.AsSpan().Count('\n') + 1); // the end-of-stream mark can sit past the last line
            errors.Add(new InputError(source, line, "", "not valid YAML: cannot be parsed past here; look above for an unclosed { or ["));
        }
        return null;
    }

    public static int Line(YamlNode node) => (int)node.Start.Line;

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
