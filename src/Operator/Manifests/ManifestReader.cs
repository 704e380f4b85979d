using System.Text;
using Admission.Policies;
using Admission.Policies.Manifests;

namespace Admission.Operator.Manifests;

/// <summary>
/// Reads files, folders and standard input holding manifests; the parsing is the engine's
/// <see cref="ManifestParser"/>. Every problem is collected with its file and line; callers decide
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

    public static List<Manifest> ReadFiles(IEnumerable<string> paths, string defaultNamespace, List<InputError> errors, TextReader? stdin = null, IReadOnlySet<string>? onlyKinds = null)
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
            manifests.AddRange(ManifestParser.Read(text, file == "-" ? "<stdin>" : file, defaultNamespace, errors, onlyKinds));
        }
        return manifests;
    }
}
