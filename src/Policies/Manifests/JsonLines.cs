using System.Text;
using System.Text.Json;

namespace Admission.Policies.Manifests;

/// <summary>
/// The line of every value in a JSON text, by path in the style of error messages
/// (<c>spec.images[1]</c>, <c>[0].metadata</c> in an array), so that errors about a field can name
/// its line. JsonDocument keeps no positions; one reader pass does.
/// </summary>
public static class JsonLines
{
    public static Dictionary<string, int> Map(string text)
    {
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        // Per open container: its path, and for arrays the next index (-1 for objects).
        var stack = new Stack<(string Path, int Next)>();
        string? property = null;
        var line = 1;
        long counted = 0;
        try
        {
            while (reader.Read())
            {
                var at = reader.TokenStartIndex;
                for (; counted < at; counted++)
                {
                    if (bytes[counted] == (byte)'\n') line++;
                }
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    property = reader.GetString();
                    continue;
                }
                if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    stack.Pop();
                    continue;
                }
                string path;
                if (stack.Count == 0)
                {
                    path = "";
                }
                else if (stack.Peek().Next >= 0)
                {
                    var (parent, next) = stack.Pop();
                    stack.Push((parent, next + 1));
                    path = $"{parent}[{next}]";
                }
                else
                {
                    var parent = stack.Peek().Path;
                    path = parent.Length == 0 ? property ?? "" : $"{parent}.{property}";
                }
                if (path.Length > 0) lines.TryAdd(path, line);
                if (reader.TokenType == JsonTokenType.StartObject) stack.Push((path, -1));
                else if (reader.TokenType == JsonTokenType.StartArray) stack.Push((path, 0));
            }
        }
        catch (JsonException)
        {
            // Syntax errors are reported by the parser; what was mapped before one still helps.
        }
        return lines;
    }
}
