using Admission.TestApiServer.Controllers;

namespace Admission.TestApiServer;

/// <summary>Everything that outlives one Kestrel host: data, users, switches, logs.</summary>
internal sealed class ServerState : IDisposable
{
    public ServerState(TestApiServerOptions options)
    {
        Options = options;
        Catalog = new ResourceCatalog(options.Workloads ? [.. ResourceCatalog.Workloads, .. options.ExtraResources] : options.ExtraResources);
        Store = new ObjectStore(options.HistoryWindow);
        Admission = new ValidatingAdmission(Store, Catalog, Caller, () => ServiceResolver);
        NamespaceController = new NamespaceController(this);
        GarbageCollector = new GarbageCollector(this);
        WorkloadControllers = options.Workloads ? new WorkloadControllers(this) : null;
        CustomResources = options.CustomResourceDefinitions is { } crds ? CustomResourceValidator.FromDirectory(crds) : null;
        Admission.Policies = new Policies.AdmissionPolicies(Store, Catalog, () => CustomResources);
    }

    public TestApiServerOptions Options { get; }

    public ResourceCatalog Catalog { get; }

    public ObjectStore Store { get; }

    public WebhookCaller Caller { get; } = new();

    public ValidatingAdmission Admission { get; }

    public NamespaceController NamespaceController { get; }

    public GarbageCollector GarbageCollector { get; }

    /// <summary>The Deployment and ReplicaSet controllers, when <see cref="TestApiServerOptions.Workloads"/> is set.</summary>
    public WorkloadControllers? WorkloadControllers { get; }

    /// <summary>Schema and CEL validation of custom resources, from the CRDs in <see cref="TestApiServerOptions.CustomResourceDefinitions"/>.</summary>
    public CustomResourceValidator? CustomResources { get; }

    public TokenAuthenticator Tokens { get; } = new();

    public ConcurrentQueue<RequestRecord> Requests { get; } = new();

    public volatile bool StallWatches;

    public FaultInjection Faults { get; } = new();

    public Func<AuthorizationAttributes, bool>? Authorize { get; set; }

    public Func<ServiceReference, Uri>? ServiceResolver { get; set; }

    public string ServerAddress { get; set; } = "";

    public void Dispose()
    {
        NamespaceController.Dispose();
        GarbageCollector.Dispose();
        WorkloadControllers?.Dispose();
        Caller.Dispose();
    }
}
