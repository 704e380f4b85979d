using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Admission.Policies;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Admission.Operator.Manifests;

/// <summary>
/// Reads files, folders and standard input holding YAML or JSON manifests: multi-document,
/// <c>List</c> kinds expanded. Every problem is collected with its file and line; callers decide
/// nothing when any is found.
/// </summary>
public static class ManifestReader
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>Paths given on the command line, expanded: folders to their manifest files (recursively, sorted).</summary>
    public static List<string> Expand(IEnumerable<string> paths, List<InputError> errors)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (path == "-")
            {
                files.Add(path);
            }
            else if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                errors.Add(new InputError(path, null, "", "no such file or directory"));
            }
        }
        return files;
    }

    public static List<Manifest> ReadFiles(IEnumerable<string> paths, string defaultNamespace, List<InputError> errors, TextReader? stdin = null)
    {
        var manifests = new List<Manifest>();
        foreach (var file in Expand(paths, errors))
        {
            string text;
            try
            {
                text = file == "-" ? (stdin ?? Console.In).ReadToEnd() : File.ReadAllText(file, Encoding.UTF8);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add(new InputError(file, null, "", "cannot be read: " + e.Message));
                continue;
            }
            manifests.AddRange(Read(text, file == "-" ? "<stdin>" : file, defaultNamespace, errors));
        }
        return manifests;
    }

    public static List<Manifest> Read(string text, string source, string defaultNamespace, List<InputError> errors)
    {
        var result = new List<Manifest>();
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.Length > 0 && trimmed[0] is '{' or '[')
        {
            ReadJson(text, source, defaultNamespace, errors, result);
        }
        else
        {
            ReadYaml(text, source, defaultNamespace, errors, result);
        }
        return result;
    }

    private static void ReadJson(string text, string source, string defaultNamespace, List<InputError> errors, List<Manifest> result)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            errors.Add(new InputError(source, (int)(e.LineNumber ?? 0) + 1, "", "not valid JSON: " + FirstSentence(e.Message)));
            return;
        }
        if (node is JsonArray array)
        {
            foreach (var item in array) Add(item, source, 1, defaultNamespace, errors, result);
        }
        else
        {
            Add(node, source, 1, defaultNamespace, errors, result);
        }
    }

    private static void ReadYaml(string text, string source, string defaultNamespace, List<InputError> errors, List<Manifest> result)
    {
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(text));
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException e)
        {
            errors.Add(new InputError(source, (int)e.Start.Line, "", "not valid YAML: " + Describe(e)));
            return;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this instead of a YamlException on some broken input,
            // e.g. a flow mapping "{a: b" that is never closed.
            errors.Add(new InputError(source, (int)scanner.CurrentPosition.Line, "", "not valid YAML: " + UnparsableYaml));
            return;
        }
        foreach (var doc in stream.Documents)
        {
            var node = doc.RootNode;
            if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" })
            {
                continue; // an empty document, e.g. after a trailing "---"
            }
            var json = YamlJson.Convert(node, source, errors);
            Add(json, source, (int)node.Start.Line, defaultNamespace, errors, result);
        }
    }

    private static void Add(JsonNode? node, string source, int line, string defaultNamespace, List<InputError> errors, List<Manifest> result)
    {
        if (node is not JsonObject obj)
        {
            errors.Add(new InputError(source, line, "", "a manifest must be an object with apiVersion and kind"));
            return;
        }
        var apiVersion = obj["apiVersion"] is JsonValue av && av.TryGetValue<string>(out var a) ? a : null;
        var kind = obj["kind"] is JsonValue kv && kv.TryGetValue<string>(out var k) ? k : null;
        if (string.IsNullOrEmpty(apiVersion)) errors.Add(new InputError(source, line, "apiVersion", "is required"));
        if (string.IsNullOrEmpty(kind)) errors.Add(new InputError(source, line, "kind", "is required"));
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind)) return;

        if (kind.EndsWith("List", StringComparison.Ordinal) && obj["items"] is JsonArray items)
        {
            foreach (var item in items) Add(item?.DeepClone(), source, line, defaultNamespace, errors, result);
            return;
        }
        var meta = obj["metadata"] as JsonObject;
        if (obj["metadata"] is not null && meta is null)
        {
            errors.Add(new InputError(source, line, "metadata", "must be an object"));
            return;
        }
        var name = meta?["name"] is JsonValue nv && nv.TryGetValue<string>(out var n) ? n
            : meta?["generateName"] is JsonValue gv && gv.TryGetValue<string>(out var g) ? g : "";
        if (name.Length == 0)
        {
            errors.Add(new InputError(source, line, "metadata.name", $"is required ({kind})"));
            return;
        }
        var ns = meta?["namespace"] is JsonValue nsv && nsv.TryGetValue<string>(out var nsText) && nsText.Length > 0 ? nsText : defaultNamespace;
        var element = JsonSerializer.SerializeToElement(obj, AdmissionJson.Default.JsonNode);
        result.Add(new Manifest(source, line, element, apiVersion, kind, kind == "Namespace" ? "" : ns, name));
    }

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(" Path:", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }

    internal const string UnparsableYaml = "cannot be parsed here; look above for an unclosed { or [";

    internal static string Describe(YamlException e)
    {
        var message = e.InnerException?.Message ?? e.Message;
        var paren = message.IndexOf("): ", StringComparison.Ordinal);
        return paren >= 0 && message.StartsWith('(') ? message[(paren + 3)..] : message;
    }
}
