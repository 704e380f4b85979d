namespace Admission.Policies.Digest;

/// <summary>
/// What the contract's "content" of an object leaves out: <c>metadata</c> and <c>status</c>;
/// <c>spec.replicas</c> while replica changes are allowed; the pod template's
/// <c>kubectl.kubernetes.io/restartedAt</c> annotation while restarts are allowed.
/// </summary>
internal sealed class ContentPruning : CanonicalJson.IPruning
{
    public const string RestartedAt = "kubectl.kubernetes.io/restartedAt";

    private readonly Dictionary<string, ContentPruning?> children = new(StringComparer.Ordinal);

    // The same children by UTF-8 name, looked up without making a string: a handful per level.
    private (byte[] Name, ContentPruning? Inner)[] _byUtf8 = [];

    private ContentPruning() { }

    public CanonicalJson.IPruning? Enter(ReadOnlySpan<byte> utf8Name, out bool removed)
    {
        foreach (var (name, inner) in _byUtf8)
        {
            if (utf8Name.SequenceEqual(name))
            {
                removed = inner is null;
                return inner;
            }
        }
        removed = false;
        return null;
    }

    private void Freeze()
    {
        _byUtf8 = [.. children.Select(c => (System.Text.Encoding.UTF8.GetBytes(c.Key), c.Value))];
        foreach (var child in children.Values) child?.Freeze();
    }

    private ContentPruning Path(params string[] names)
    {
        var node = this;
        foreach (var name in names)
        {
            if (!node.children.TryGetValue(name, out var next) || next is null)
            {
                next = new ContentPruning();
                node.children[name] = next;
            }
            node = next;
        }
        return node;
    }

    private void Remove(string[] parents, string name) => Path(parents).children[name] = null;

    // Built once per combination: the webhook computes digests on its hot path.
    private static readonly ContentPruning[] Cache = BuildAll();

    public static ContentPruning For(bool cronJob, bool ignoreReplicas, bool ignoreRestarts) =>
        Cache[(cronJob ? 4 : 0) | (ignoreReplicas ? 2 : 0) | (ignoreRestarts ? 1 : 0)];

    private static ContentPruning[] BuildAll()
    {
        var all = new ContentPruning[8];
        for (var i = 0; i < 8; i++)
        {
            var p = new ContentPruning();
            p.children["metadata"] = null;
            p.children["status"] = null;
            if ((i & 2) != 0) p.Remove(["spec"], "replicas");
            if ((i & 1) != 0)
            {
                string[] template = (i & 4) != 0
                    ? ["spec", "jobTemplate", "spec", "template", "metadata", "annotations"]
                    : ["spec", "template", "metadata", "annotations"];
                p.Remove(template, RestartedAt);
            }
            p.Freeze();
            all[i] = p;
        }
        return all;
    }
}
