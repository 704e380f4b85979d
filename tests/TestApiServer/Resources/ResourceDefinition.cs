namespace Admission.TestApiServer.Resources;

/// <summary>
/// One served resource type. Everything the server does with a type (routes, discovery, storage,
/// watch, admission) is driven by these fields, so serving a new type is one line in <see cref="ResourceCatalog"/>.
/// </summary>
/// <param name="Subresources">"status" and/or "scale".</param>
/// <param name="TracksGeneration">metadata.generation starts at 1 and grows on changes outside metadata and status.</param>
/// <param name="CustomResource">Served like a CRD: strategic merge patch is refused, as kube-apiserver refuses it for custom resources.</param>
/// <param name="CreateOnly">A virtual review type (SelfSubjectReview...): only POST, nothing stored.</param>
/// <param name="ReturnDeletedObject">DELETE answers with the object instead of a Success Status.</param>
public sealed record ResourceDefinition(
    string Group,
    string Version,
    string Plural,
    string Kind,
    bool Namespaced,
    IReadOnlyList<string>? Subresources = null,
    IReadOnlyList<string>? ShortNames = null,
    bool TracksGeneration = false,
    bool CustomResource = false,
    bool CreateOnly = false,
    bool ReturnDeletedObject = false)
{
    public IReadOnlyList<string> SubresourceNames { get; } = Subresources ?? [];

    public IReadOnlyList<string> ShortNameList { get; } = ShortNames ?? [];

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string GroupVersion => ApiVersion;

    public string Singular => Kind.ToLowerInvariant();

    /// <summary>"deployments.apps", or "namespaces" for the core group: the form kube-apiserver uses in messages.</summary>
    public string GroupResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public bool HasStatus => SubresourceNames.Contains("status");

    public bool HasScale => SubresourceNames.Contains("scale");

    public string ListKind => Kind + "List";

    public IReadOnlyList<string> Verbs => CreateOnly
        ? ["create"]
        : ["create", "delete", "get", "list", "patch", "update", "watch"];
}
