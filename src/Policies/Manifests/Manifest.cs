using System.Text.Json;

namespace Admission.Policies.Manifests;

/// <summary>One Kubernetes object read from a file, with where it came from for error messages.</summary>
public sealed record Manifest(string Source, int Line, JsonElement Object, string ApiVersion, string Kind, string Namespace, string Name)
{
    public string Group => ApiVersion.Contains('/') ? ApiVersion[..ApiVersion.IndexOf('/')] : "";

    public string Where => $"{Source}:{Line}";

    /// <summary>The line of each field of the file's document, by path (<c>spec.images[1]</c>); null when unknown.</summary>
    public IReadOnlyDictionary<string, int>? FieldLines { get; init; }

    /// <summary>This object's path within its document: <c>items[2].</c> for an item of a List, or <c>[0].</c> in a JSON array.</summary>
    public string PathPrefix { get; init; } = "";

    /// <summary>
    /// The line of a field, for errors about it: the field's own line, or that of its nearest
    /// parent present in the file (a required field that is missing is reported where its parent
    /// is), or the object's first line.
    /// </summary>
    public int LineOf(string field)
    {
        if (FieldLines is null) return Line;
        for (var path = field; path.Length > 0; path = Parent(path))
        {
            if (FieldLines.TryGetValue(PathPrefix + path, out var line)) return line;
        }
        return Line;
    }

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }
}
