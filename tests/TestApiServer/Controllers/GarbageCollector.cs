namespace Admission.TestApiServer.Controllers;

/// <summary>
/// kube-controller-manager's garbage collector (pkg/controller/garbagecollector), background
/// propagation only: an object whose every ownerReference points at an owner that is gone (no object
/// of that kind and name, or one with another uid) is deleted through admission as
/// <c>system:serviceaccount:kube-system:generic-garbage-collector</c>, with its uid as a precondition
/// and propagationPolicy Background; its own dependents follow when it is gone. A refused deletion is
/// retried with backoff. An owner of a type this server does not serve counts as present (the
/// collector cannot resolve it and waits).
/// </summary>
internal sealed class GarbageCollector : IDisposable
{
    private readonly ServerState _state;
    private readonly ControllerClient _client;
    private readonly WorkQueue<(ResourceDefinition Resource, string Namespace, string Name)> _queue;

    public GarbageCollector(ServerState state)
    {
        _state = state;
        _client = new ControllerClient(state, "generic-garbage-collector");
        _queue = new(SyncAsync, TimeSpan.FromMilliseconds(5), state.Options.ControllerMaxRetryDelay);
        state.Store.Committed += OnCommitted;
    }

    public Exception? LastError => _queue.LastError;

    public void Dispose() => _queue.Dispose();

    private void OnCommitted(StoredChange change)
    {
        if (change.Type == "DELETED")
        {
            // The graph builder's view: every object naming the deleted one as owner is checked.
            var uid = change.Item["metadata"]?["uid"]?.ToString();
            foreach (var (resource, dependent) in Dependents(uid))
            {
                _queue.Add((resource, Meta.Namespace(dependent), Meta.Name(dependent)));
            }
        }
        else if (change.Item["metadata"]?["ownerReferences"] is JsonArray { Count: > 0 }
            && _state.Catalog.Find(change.Group, change.Resource) is { } resource)
        {
            // A dependent added or changed: its owners may already be absent.
            _queue.Add((resource, change.Namespace, change.Name));
        }
    }

    private IEnumerable<(ResourceDefinition, JsonObject)> Dependents(string? ownerUid)
    {
        if (ownerUid is null)
        {
            yield break;
        }

        foreach (var resource in _state.Catalog.All.Where(r => !r.CreateOnly))
        {
            foreach (var item in _state.Store.List(resource, null).Items)
            {
                if (OwnerReferences(item).Any(o => o["uid"]?.ToString() == ownerUid))
                {
                    yield return (resource, item);
                }
            }
        }
    }

    private async Task<bool> SyncAsync((ResourceDefinition Resource, string Namespace, string Name) key, CancellationToken cancellationToken)
    {
        var item = _state.Store.Get(key.Resource, key.Namespace, key.Name);
        var owners = item is null ? [] : OwnerReferences(item);
        if (item is null || owners.Count == 0 || owners.Any(o => OwnerPresent(o, key.Namespace)))
        {
            return true;
        }

        var uid = item["metadata"]?["uid"]?.ToString();
        var refused = await _client.DeleteAsync(key.Resource, item, key.Name, ControllerClient.DeleteOptions("Background", uid), cancellationToken);
        return refused is null;
    }

    private bool OwnerPresent(JsonObject reference, string dependentNamespace)
    {
        var apiVersion = reference["apiVersion"]?.ToString() ?? "";
        var group = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
        var kind = reference["kind"]?.ToString() ?? "";
        var resource = _state.Catalog.All.FirstOrDefault(r => r.Group == group && r.Kind == kind && !r.CreateOnly);
        if (resource is null)
        {
            return true;
        }

        var owner = _state.Store.Get(resource, resource.Namespaced ? dependentNamespace : "", reference["name"]?.ToString() ?? "");
        return owner is not null && owner["metadata"]?["uid"]?.ToString() == reference["uid"]?.ToString();
    }

    private static List<JsonObject> OwnerReferences(JsonObject item) =>
        [.. (item["metadata"]?["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>()];
}
