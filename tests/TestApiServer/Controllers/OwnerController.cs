namespace Admission.TestApiServer.Controllers;

/// <summary>
/// What the Deployment and ReplicaSet controllers share, as kube-controller-manager's do: one
/// work queue of owners, fed by changes to an owner and to any object whose controller
/// reference names an owner of that kind; an owner that is gone or being deleted needs nothing;
/// every write goes through admission as the controller's own service account.
/// </summary>
internal abstract class OwnerController : IDisposable
{
    private readonly string _ownerKind;
    private readonly WorkQueue<(string Namespace, string Name)> _queue;

    protected OwnerController(ServerState state, string account, string ownerKind, string ownerResource, (string Group, string Resource) owned)
    {
        State = state;
        Client = new ControllerClient(state, account);
        _ownerKind = ownerKind;
        Owners = state.Catalog.Find("apps", "v1", ownerResource)!;
        Owned = state.Catalog.Find(owned.Group, "v1", owned.Resource)!;
        _queue = new(SyncAsync, TimeSpan.FromMilliseconds(5), state.Options.ControllerMaxRetryDelay);
    }

    protected ServerState State { get; }

    protected ControllerClient Client { get; }

    /// <summary>The owners' resource (in the apps group).</summary>
    protected ResourceDefinition Owners { get; }

    /// <summary>The resource of the objects an owner controls.</summary>
    protected ResourceDefinition Owned { get; }

    public Exception? LastError => _queue.LastError;

    public void Dispose() => _queue.Dispose();

    public void OnCommitted(StoredChange change)
    {
        if (change.Group == Owners.Group && change.Resource == Owners.Plural)
        {
            _queue.Add((change.Namespace, change.Name));
        }
        else if (change.Group == Owned.Group && change.Resource == Owned.Plural && PodTemplates.ControllerOf(change.Item) is { } owner
            && owner["kind"]?.ToString() == _ownerKind)
        {
            _queue.Add((change.Namespace, owner["name"]?.ToString() ?? ""));
        }
    }

    private async Task<bool> SyncAsync((string Namespace, string Name) key, CancellationToken cancellationToken)
    {
        var owner = State.Store.Get(Owners, key.Namespace, key.Name);
        if (owner is null || PodTemplates.Deleting(owner))
        {
            return true;
        }
        return await SyncAsync(owner, key, cancellationToken);
    }

    /// <summary>Brings one live owner's objects and status in line; false to retry with backoff.</summary>
    protected abstract Task<bool> SyncAsync(JsonObject owner, (string Namespace, string Name) key, CancellationToken cancellationToken);
}
