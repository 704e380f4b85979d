using System.Text.Json;
using Admission.Policies;
using Admission.Policies.Manifests;

namespace Admission.Plugin.Text;

/// <summary>
/// Reads a manifest file (YAML, multi-document, or JSON) with the engine's <see cref="ManifestParser"/>,
/// so the plugin, <c>admission check</c> and the webhook's local mode read a manifest alike: the same
/// YAML rules, <c>List</c> kinds expanded, and the same located errors (file, line, field).
/// </summary>
public static class YamlReader
{
    /// <exception cref="FormatException">Every problem of the file, one per line, each naming the file and line.</exception>
    public static List<JsonElement> ReadObjects(string text, string source)
    {
        var errors = new List<InputError>();
        var manifests = ManifestParser.Read(text, source, defaultNamespace: "", errors);
        if (errors.Count > 0)
        {
            throw new FormatException(string.Join(Environment.NewLine, errors));
        }
        return manifests.ConvertAll(m => m.Object);
    }
}
