namespace Admission.TestApiServer.Controllers;

/// <summary>
/// kube-controller-manager's namespace controller (pkg/controller/namespace/deletion/
/// namespaced_resources_deleter.go), for Namespaces being deleted. Each pass: every namespaced type
/// in the namespace is deleted as a deletecollection would (each item admitted as a DELETE whose
/// review has <c>name: ""</c>, the item as oldObject, DeleteOptions with propagationPolicy
/// Background, from <c>system:serviceaccount:kube-system:namespace-controller</c>), stopping that type
/// at its first refusal; the five deletion conditions are written through <c>namespaces/status</c>
/// when they change (status_condition_utils.go); with nothing refused, the <c>kubernetes</c>
/// finalizer is removed through <c>namespaces/finalize</c>, which removes the Namespace. A refused
/// pass is retried with the controller's backoff (5 ms doubling to a minute), and at once whenever
/// someone else changes the Namespace.
/// </summary>
internal sealed class NamespaceController : IDisposable
{
    private const string KubernetesFinalizer = "kubernetes";

    /// <summary>conditionTypes, with the reason and message each has when nothing is wrong.</summary>
    private static readonly (string Type, string OkReason, string OkMessage)[] ConditionTypes =
    [
        ("NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered", "All resources successfully discovered"),
        ("NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions", "All legacy kube types successfully parsed"),
        ("NamespaceDeletionContentFailure", "ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
        ("NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"),
        ("NamespaceFinalizersRemaining", "ContentRemoved", "All content successfully removed"),
    ];

    private readonly ServerState _state;
    private readonly ControllerClient _client;
    private readonly WorkQueue<string> _queue;

    public NamespaceController(ServerState state)
    {
        _state = state;
        _client = new ControllerClient(state, "namespace-controller");
        _queue = new WorkQueue<string>(SyncAsync, TimeSpan.FromMilliseconds(5), state.Options.ControllerMaxRetryDelay);
        state.Store.Committed += OnCommitted;
    }

    public string Username => _client.Username;

    public Exception? LastError => _queue.LastError;

    public void Dispose() => _queue.Dispose();

    private void OnCommitted(StoredChange change)
    {
        if (change is { Group: "", Resource: "namespaces", Type: "ADDED" or "MODIFIED" }
            && change.Username != _client.Username
            && change.Item["metadata"]?["deletionTimestamp"] is not null)
        {
            _queue.Add(change.Name);
        }
    }

    /// <returns>True when the Namespace is gone or no longer being deleted; false to retry later.</returns>
    private async Task<bool> SyncAsync(string name, CancellationToken cancellationToken)
    {
        var namespaces = _state.Catalog.Namespaces;
        var ns = _state.Store.Get(namespaces, "", name);
        if (ns?["metadata"]?["deletionTimestamp"] is null)
        {
            return true;
        }

        if (ns["status"]?["phase"]?.ToString() != "Terminating")
        {
            var terminating = (JsonObject)ns.DeepClone();
            Defaulting.Child(terminating, "status")["phase"] = "Terminating";
            if (await _client.UpdateAsync(namespaces, "status", ns, terminating, cancellationToken) is not null)
            {
                return false;
            }

            ns = _state.Store.Get(namespaces, "", name);
            if (ns is null)
            {
                return true;
            }
        }

        if (Finalizers(ns).Count == 0)
        {
            // Already finalized: delete it, with the uid as a precondition.
            var uid = ns["metadata"]?["uid"]?.ToString();
            return await _client.DeleteAsync(namespaces, ns, name, ControllerClient.DeleteOptions("Background", uid), cancellationToken) is null;
        }

        var errors = await DeleteContentAsync(name, cancellationToken);
        ns = _state.Store.Get(namespaces, "", name);
        if (ns is null)
        {
            return true;
        }

        if (WithConditions(ns, errors) is { } changed)
        {
            if (await _client.UpdateAsync(namespaces, "status", ns, changed, cancellationToken) is not null)
            {
                return false;
            }

            ns = _state.Store.Get(namespaces, "", name);
            if (ns is null)
            {
                return true;
            }
        }

        if (errors.Count > 0)
        {
            return false;
        }

        var finalized = (JsonObject)ns.DeepClone();
        var remaining = Finalizers(ns).Where(f => f != KubernetesFinalizer).Distinct().Order(StringComparer.Ordinal);
        Defaulting.Child(finalized, "spec")["finalizers"] = new JsonArray([.. remaining.Select(f => (JsonNode)f)]);
        return await _client.UpdateAsync(namespaces, "finalize", ns, finalized, cancellationToken) is null;
    }

    /// <summary>One deletecollection per namespaced type; the error of each type that could not be emptied.</summary>
    private async Task<List<string>> DeleteContentAsync(string ns, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var options = ControllerClient.DeleteOptions("Background");
        foreach (var resource in _state.Catalog.All.Where(r => r.Namespaced && !r.CreateOnly))
        {
            var (items, _) = _state.Store.List(resource, ns);
            string? refusal = null;
            foreach (var item in items)
            {
                if (await _client.DeleteAsync(resource, item, "", options, cancellationToken) is { } refused)
                {
                    refusal = ControllerClient.Message(refused);
                    break;
                }
            }

            if (refusal is null && _state.Store.List(resource, ns).Items.Count > 0)
            {
                refusal = $"unexpected items still remain in namespace: {ns} for gvr: {resource.GroupVersion}, Resource={resource.Plural}";
            }

            if (refusal is not null)
            {
                errors.Add(refusal);
            }
        }

        return errors;
    }

    /// <summary>The Namespace with its deletion conditions updated (updateConditions), or null when none changed.</summary>
    private static JsonObject? WithConditions(JsonObject ns, List<string> errors)
    {
        var updated = (JsonObject)ns.DeepClone();
        var status = Defaulting.Child(updated, "status");
        if (status["conditions"] is not JsonArray conditions)
        {
            conditions = [];
            status["conditions"] = conditions;
        }

        var now = Meta.Now();
        var changed = false;
        foreach (var (type, okReason, okMessage) in ConditionTypes)
        {
            var failed = type == "NamespaceDeletionContentFailure" && errors.Count > 0;
            var wanted = failed ? "True" : "False";
            var reason = failed ? "ContentDeletionFailed" : okReason;
            var message = failed
                ? string.Create(CultureInfo.InvariantCulture,
                    $"Failed to delete all resource types, {errors.Count} remaining: {string.Join(", ", errors.Order(StringComparer.Ordinal))}")
                : okMessage;
            var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.ToString() == type);
            if (existing is null)
            {
                conditions.Add(new JsonObject
                {
                    ["type"] = type, ["status"] = wanted, ["lastTransitionTime"] = now, ["reason"] = reason, ["message"] = message,
                });
                changed = true;
            }
            else if (existing["status"]?.ToString() != wanted || existing["reason"]?.ToString() != reason || existing["message"]?.ToString() != message)
            {
                if (existing["status"]?.ToString() != wanted)
                {
                    existing["lastTransitionTime"] = now;
                }

                existing["status"] = wanted;
                existing["reason"] = reason;
                existing["message"] = message;
                changed = true;
            }
        }

        return changed ? updated : null;
    }

    private static List<string> Finalizers(JsonObject ns) =>
        [.. (ns["spec"]?["finalizers"] as JsonArray ?? []).Select(f => f?.ToString() ?? "")];
}
