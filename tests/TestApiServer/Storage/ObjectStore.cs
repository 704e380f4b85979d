namespace Admission.TestApiServer.Storage;

/// <summary>
/// All objects, as JSON, with one global resourceVersion that grows by one per write (as etcd's
/// revision does), a bounded history of writes for watches to resume from, and the live watches.
/// Writes are compare-and-swap on the resourceVersion the caller read.
/// </summary>
internal sealed class ObjectStore(int historyWindow)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ResourceDefinition, SortedDictionary<string, JsonObject>> _objects = [];
    private readonly Queue<StoredEvent> _history = new();
    private readonly List<WatchSubscription> _subscriptions = [];
    private readonly List<StoredChange> _changes = [];
    private long _rv = 100;
    private long _compacted = 100;

    public event Action<StoredChange>? Committed;

    public long CurrentResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _rv;
            }
        }
    }

    /// <summary>The oldest resourceVersion a read may still be served at (raised by <see cref="ExpireAll"/>).</summary>
    public long CompactedResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _compacted;
            }
        }
    }

    public int WatchCount
    {
        get
        {
            lock (_gate)
            {
                return _subscriptions.Count;
            }
        }
    }

    public IReadOnlyList<StoredChange> Changes
    {
        get
        {
            lock (_gate)
            {
                return [.. _changes];
            }
        }
    }

    public JsonObject? Get(ResourceDefinition resource, string ns, string name)
    {
        lock (_gate)
        {
            return Bucket(resource).TryGetValue(Key(ns, name), out var obj) ? (JsonObject)obj.DeepClone() : null;
        }
    }

    public (List<JsonObject> Items, long ResourceVersion) List(ResourceDefinition resource, string? ns)
    {
        lock (_gate)
        {
            var items = Bucket(resource).Values
                .Where(o => ns is null || Meta.Namespace(o) == ns)
                .Select(o => (JsonObject)o.DeepClone())
                .ToList();
            return (items, _rv);
        }
    }

    public WriteOutcome Create(ResourceDefinition resource, JsonObject obj, string username)
    {
        StoredChange change;
        lock (_gate)
        {
            var bucket = Bucket(resource);
            var key = Key(Meta.Namespace(obj), Meta.Name(obj));
            if (bucket.ContainsKey(key))
            {
                return new(WriteStatus.AlreadyExists, null);
            }

            change = Put(bucket, key, "ADDED", resource, obj, null, "", username);
        }

        return Published(change);
    }

    /// <summary>Replaces the object if it is still at <paramref name="expectedRv"/>.</summary>
    public WriteOutcome Update(ResourceDefinition resource, JsonObject obj, long expectedRv, string subresource, string username)
    {
        StoredChange change;
        lock (_gate)
        {
            var bucket = Bucket(resource);
            var key = Key(Meta.Namespace(obj), Meta.Name(obj));
            if (Current(bucket, key, expectedRv, out var current) is var status and not WriteStatus.Ok)
            {
                return new(status, null);
            }

            change = Put(bucket, key, "MODIFIED", resource, obj, current, subresource, username);
        }

        return Published(change);
    }

    public WriteOutcome Delete(ResourceDefinition resource, string ns, string name, long expectedRv, string username)
    {
        StoredChange change;
        lock (_gate)
        {
            var bucket = Bucket(resource);
            var key = Key(ns, name);
            if (Current(bucket, key, expectedRv, out var current) is var status and not WriteStatus.Ok)
            {
                return new(status, null);
            }

            bucket.Remove(key);
            change = RecordDelete(resource, current, username);
        }

        return Published(change);
    }

    /// <summary>
    /// The compare of compare-and-swap, under the gate: NotFound when nothing is stored under <paramref name="key"/>,
    /// Conflict when it has been written since <paramref name="expectedRv"/>, else Ok with it in <paramref name="current"/>.
    /// </summary>
    private static WriteStatus Current(SortedDictionary<string, JsonObject> bucket, string key, long expectedRv, out JsonObject current)
    {
        if (!bucket.TryGetValue(key, out current!))
        {
            return WriteStatus.NotFound;
        }

        return Meta.ResourceVersion(current) == expectedRv ? WriteStatus.Ok : WriteStatus.Conflict;
    }

    /// <summary>Tells the listeners of a write made under the gate, outside it, and gives the writer its own copy of what was stored.</summary>
    private WriteOutcome Published(StoredChange change)
    {
        Committed?.Invoke(change);
        return new(WriteStatus.Ok, (JsonObject)change.Item.DeepClone());
    }

    /// <summary>
    /// Starts a watch. With no starting resourceVersion the backlog is the current state as ADDED
    /// events; otherwise it is every later write still in the history window.
    /// </summary>
    public WatchSubscription Subscribe(ResourceDefinition resource, string? ns, long? fromRv)
    {
        lock (_gate)
        {
            List<StoredEvent> backlog;
            if (fromRv is null)
            {
                backlog = Bucket(resource).Values
                    .Where(o => ns is null || Meta.Namespace(o) == ns)
                    .Select(o => new StoredEvent("ADDED", resource, (JsonObject)o.DeepClone(), null, Meta.ResourceVersion(o)))
                    .ToList();
            }
            else
            {
                if (fromRv < _compacted)
                {
                    throw new ResourceExpiredException($"too old resource version: {fromRv} ({_compacted + 1})");
                }

                backlog = [];
            }

            var subscription = new WatchSubscription(resource, ns, backlog);
            if (fromRv is not null)
            {
                backlog.AddRange(_history.Where(e => e.ResourceVersion > fromRv && subscription.Wants(e)));
            }

            _subscriptions.Add(subscription);
            return subscription;
        }
    }

    public void Unsubscribe(WatchSubscription subscription)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
        }
    }

    /// <summary>Forgets all history, as an etcd compaction would: open watches get 410 and older resourceVersions are refused.</summary>
    public void ExpireAll()
    {
        lock (_gate)
        {
            _history.Clear();
            _compacted = _rv;
            foreach (var subscription in _subscriptions)
            {
                subscription.Feed.Writer.TryComplete(new ResourceExpiredException(
                    $"too old resource version: {_rv} ({_compacted + 1})"));
            }

            _subscriptions.Clear();
        }
    }

    public void CloseAll()
    {
        lock (_gate)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Feed.Writer.TryComplete();
            }

            _subscriptions.Clear();
        }
    }

    /// <summary>Stores a copy of <paramref name="obj"/> at the next resourceVersion under <paramref name="key"/> and records the event.</summary>
    private StoredChange Put(SortedDictionary<string, JsonObject> bucket, string key, string type, ResourceDefinition resource, JsonObject obj,
        JsonObject? current, string subresource, string username)
    {
        var stored = (JsonObject)obj.DeepClone();
        var rv = ++_rv;
        Meta.SetResourceVersion(stored, rv);
        bucket[key] = stored;
        return Record(new StoredEvent(type, resource, stored, current, rv), subresource, username);
    }

    private StoredChange RecordDelete(ResourceDefinition resource, JsonObject current, string username)
    {
        var rv = ++_rv;
        var gone = (JsonObject)current.DeepClone();
        Meta.SetResourceVersion(gone, rv);
        return Record(new StoredEvent("DELETED", resource, gone, current, rv), "", username);
    }

    private StoredChange Record(StoredEvent e, string subresource, string username)
    {
        _history.Enqueue(e);
        while (_history.Count > historyWindow)
        {
            _compacted = _history.Dequeue().ResourceVersion;
        }

        foreach (var subscription in _subscriptions)
        {
            if (subscription.Wants(e))
            {
                subscription.Feed.Writer.TryWrite(e);
            }
        }

        var change = new StoredChange(e.Type, e.Resource.Group, e.Resource.Plural, subresource, Meta.Namespace(e.Object),
            Meta.Name(e.Object), username, e.ResourceVersion, (JsonObject)JsonNode.Parse(e.Object.ToJsonString())!);
        _changes.Add(change);
        return change;
    }

    private SortedDictionary<string, JsonObject> Bucket(ResourceDefinition resource)
    {
        if (!_objects.TryGetValue(resource, out var bucket))
        {
            bucket = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            _objects[resource] = bucket;
        }

        return bucket;
    }

    private static string Key(string ns, string name) => ns + "/" + name;
}
