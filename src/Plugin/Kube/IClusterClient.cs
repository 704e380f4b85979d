using System.Text.Json;
using System.Text.Json.Nodes;
using Admission.Kubernetes;
using Admission.Policies.Model;

namespace Admission.Plugin.Kube;

/// <summary>A REST resource: group, version and plural name, as in <c>/apis/GROUP/VERSION/.../PLURAL</c>.</summary>
public sealed record ApiResource(string Group, string Version, string Plural, bool Namespaced = true)
{
    public static readonly ApiResource ChangeApprovals = new(ChangeApproval.Group, ChangeApproval.Version, ChangeApproval.Plural);
    public static readonly ApiResource Namespaces = new("", "v1", "namespaces", Namespaced: false);
    public static readonly ApiResource ConfigMaps = new("", "v1", "configmaps");

    /// <summary>How kubectl names the resource in messages: <c>changeapprovals.approvals.admission.dev</c>.</summary>
    public string Qualified => Group.Length == 0 ? Plural : Plural + "." + Group;
}

/// <summary>Who the API server says the caller is (SelfSubjectReview).</summary>
public sealed record Identity(string Username, IReadOnlyList<string> Groups);

/// <summary>An object the API server stored, and the warnings it returned with it.</summary>
public sealed record WriteResult(JsonElement Object, IReadOnlyList<string> Warnings);

/// <summary>
/// Everything the plugin asks of the cluster. Small on purpose: the command logic is tested
/// against an in-memory implementation, and the real one is a thin layer over KubernetesClient.
/// Failures are <see cref="KubernetesApiException"/> (the server answered with an error) or
/// <see cref="ClusterUnreachableException"/> (it could not be asked).
/// </summary>
public interface IClusterClient : IDisposable
{
    /// <summary>The caller's username and groups, from a SelfSubjectReview.</summary>
    Task<Identity> WhoAmIAsync(CancellationToken cancellationToken);

    /// <summary>The object, or null when it does not exist (404 for that object).</summary>
    Task<JsonElement?> GetAsync(ApiResource resource, string? ns, string name, CancellationToken cancellationToken);

    /// <summary>The items of a list; <paramref name="ns"/> null lists every namespace.</summary>
    Task<IReadOnlyList<JsonElement>> ListAsync(ApiResource resource, string? ns, CancellationToken cancellationToken);

    Task<WriteResult> CreateAsync(ApiResource resource, string ns, JsonObject body, CancellationToken cancellationToken);

    /// <summary>PUT; the body carries <c>metadata.resourceVersion</c>, so a stale write fails with 409.</summary>
    Task<WriteResult> ReplaceAsync(ApiResource resource, string ns, string name, JsonObject body, CancellationToken cancellationToken);

    /// <summary>
    /// The same write with <c>dryRun=All</c>: a CREATE (POST) when <paramref name="name"/> is null, else
    /// an UPDATE (PUT). Nothing is stored; the answer is the object as it would be, and the warnings.
    /// </summary>
    Task<WriteResult> DryRunAsync(ApiResource resource, string ns, string? name, JsonObject body, CancellationToken cancellationToken);
}

/// <summary>The cluster, namespace and context a command runs against, resolved like kubectl does.</summary>
public sealed record ClusterConnection(IClusterClient Client, string Namespace, string Context, string Server);

/// <summary>Which kubeconfig, context and namespace the user chose on the command line.</summary>
public sealed record KubeSelection(string? Kubeconfig, string? Context, string? Namespace);

/// <summary>Opens a connection; the real one reads kubeconfig files, tests return an in-memory cluster.</summary>
public interface IClusterConnector
{
    ClusterConnection Connect(KubeSelection selection);
}

/// <summary>The API server could not be reached, or the kubeconfig could not be used to reach it.</summary>
public sealed class ClusterUnreachableException : Exception
{
    public ClusterUnreachableException() { }

    public ClusterUnreachableException(string message) : base(message) { }

    public ClusterUnreachableException(string message, Exception innerException) : base(message, innerException) { }
}
