using System.Runtime.CompilerServices;
using System.Collections.Concurrent;

namespace Admission.Policies;

/// <summary>
/// The parts of an object that are not its content, as a tree of property names: built once per
/// kind and policy, so comparing two objects allocates nothing.
/// </summary>
internal sealed class ContentRemovals
{
    public const string RestartedAt = "kubectl.kubernetes.io/restartedAt";

    private static readonly ConditionalWeakTable<AdmissionPolicy, ConcurrentDictionary<WorkloadKind, ContentRemovals>> Cache = new();

    private readonly Dictionary<string, ContentRemovals> _children = new(StringComparer.Ordinal);

    /// <summary>This whole value is not content.</summary>
    public bool Removed { get; private init; }

    // The same children by UTF-8 name, looked up without making a string: a handful per level.
    private (byte[] Name, ContentRemovals Node)[] _byUtf8 = [];

    public ContentRemovals? Child(string name) => _children.GetValueOrDefault(name);

    /// <summary>The child named by these unescaped UTF-8 bytes.</summary>
    public ContentRemovals? Child(ReadOnlySpan<byte> utf8Name)
    {
        foreach (var (name, node) in _byUtf8)
        {
            if (utf8Name.SequenceEqual(name)) return node;
        }
        return null;
    }

    public static ContentRemovals For(WorkloadKind kind, AdmissionPolicy policy) =>
        Cache.GetOrCreateValue(policy).GetOrAdd(kind, static (k, p) => Build(k, p), policy);

    private static ContentRemovals Build(WorkloadKind kind, AdmissionPolicy policy)
    {
        var root = new ContentRemovals();
        root.Remove(["metadata"]);
        root.Remove(["status"]);
        if (policy.AllowReplicaChanges) root.Remove(["spec", "replicas"]);
        if (policy.AllowRestarts && kind.TemplateMetadataPath is { } template)
        {
            root.Remove([.. template, "annotations", RestartedAt]);
        }
        return root;
    }

    private void Remove(IReadOnlyList<string> path)
    {
        var node = this;
        for (var i = 0; i < path.Count; i++)
        {
            if (!node._children.TryGetValue(path[i], out var next))
            {
                next = i == path.Count - 1 ? new ContentRemovals { Removed = true } : new ContentRemovals();
                node._children[path[i]] = next;
                node._byUtf8 = [.. node._byUtf8, (System.Text.Encoding.UTF8.GetBytes(path[i]), next)];
            }
            node = next;
        }
    }
}
