namespace Admission.TestApiServer;

public sealed class TestApiServerOptions
{
    /// <summary>
    /// How often a watch with allowWatchBookmarks=true gets a BOOKMARK. The default is kube-apiserver's
    /// (the cacher's defaultBookmarkFrequency, a minute); tests that need a bookmark sooner set less.
    /// As there, one more comes 2 s before the watch times out.
    /// </summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many writes are kept for watches to resume from; older resourceVersions get 410 Gone.</summary>
    public int HistoryWindow { get; set; } = 1000;

    /// <summary>How long a watch without timeoutSeconds stays open.</summary>
    public TimeSpan DefaultWatchTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The longest a built-in controller (namespace controller, garbage collector) waits before retrying
    /// a refused write; the delay starts at 5 ms and doubles. kube-controller-manager's is a minute.
    /// </summary>
    public TimeSpan ControllerMaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Namespaces that exist from the start, as in a new cluster.</summary>
    public IList<string> Namespaces { get; } = ["default", "kube-system", "kube-public", "kube-node-lease"];

    /// <summary>
    /// Folder of CustomResourceDefinition YAML whose schemas and CEL rules custom resources are
    /// validated against, as kube-apiserver does (default: the repository's config/crd, found
    /// above the test assembly; null: custom resources are stored unvalidated). An invalid CRD
    /// fails the server's start with kube-apiserver's message.
    /// </summary>
    public string? CustomResourceDefinitions { get; set; } = CustomResources.RepositoryCrds.Find();

    /// <summary>
    /// Serve <see cref="ResourceCatalog.Workloads"/> (Pods, ReplicaSets, Jobs, CronJobs) and run
    /// kube-controller-manager's Deployment and ReplicaSet controllers, which write through
    /// admission as their service accounts. Off by default: most tests seed a Deployment and do not
    /// want ReplicaSets and Pods appearing under it.
    /// </summary>
    public bool Workloads { get; set; }

    /// <summary>More types to serve, beyond <see cref="ResourceCatalog.Defaults"/>.</summary>
    public IList<ResourceDefinition> ExtraResources { get; } = [];
}
