using System.Text.Json;

namespace Admission.Policies.Manifests;

/// <summary>One Kubernetes object read from a file, with where it came from for error messages.</summary>
public sealed record Manifest(string Source, int Line, JsonElement Object, string ApiVersion, string Kind, string Namespace, string Name)
{
    public string Group => ApiVersion.Contains('/') ? ApiVersion[..ApiVersion.IndexOf('/')] : "";

    public string Where => $"{Source}:{Line}";
}
