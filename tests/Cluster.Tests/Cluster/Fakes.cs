namespace Admission.Cluster.Tests;

/// <summary>The cache as the controller sees it, changed by hand.</summary>
internal sealed class FakeApprovalObjects : IApprovalObjects
{
    private readonly ConcurrentDictionary<string, CachedApproval> _items = new(StringComparer.Ordinal);

    public IReadOnlyCollection<CachedApproval> All => [.. _items.Values];

    public CachedApproval? Find(string key) => _items.GetValueOrDefault(key);

    public event Action<string>? Changed;

    public void Put(JsonElement raw)
    {
        var approval = Objects.Cached(raw);
        _items[approval.Key] = approval;
        Changed?.Invoke(approval.Key);
    }

    public void Remove(string key)
    {
        _items.TryRemove(key, out _);
        Changed?.Invoke(key);
    }
}

/// <summary>
/// The API server's side of the status operator: holds the objects, applies status writes at
/// their resourceVersion (409 otherwise), and records every write and Event in order.
/// </summary>
internal sealed class FakeStatusClient(FakeApprovalObjects cache, string who = "replica") : IStatusClient
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, JsonElement> _server = new(StringComparer.Ordinal);
    private int _rv = 100;

    public ConcurrentQueue<(string Who, string Key, string Phase)> Writes { get; } = new();

    public ConcurrentQueue<(string Who, string Key, string Reason, string Message)> Events { get; } = new();

    public int Conflicts { get; private set; }

    /// <summary>When true, a write reaches the server but not the cache (a lagging watch).</summary>
    public bool CacheLags { get; set; }

    public FakeStatusClient Sharing(string replica) => new(cache, replica) { Shared = this };

    private FakeStatusClient? Shared { get; init; }

    private FakeStatusClient Root => Shared ?? this;

    /// <summary>Stores an object on the server and in the cache, as a user's write would.</summary>
    public void Store(JsonElement raw)
    {
        var root = Root;
        lock (root._gate)
        {
            var key = Objects.Cached(raw).Key;
            root._server[key] = raw;
        }
        cache.Put(raw);
    }

    /// <summary>A change the cache has not seen yet: the next status write conflicts.</summary>
    public void StoreServerOnly(JsonElement raw)
    {
        var root = Root;
        lock (root._gate) root._server[Objects.Cached(raw).Key] = raw;
    }

    public Task<CachedApproval?> GetAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var root = Root;
        lock (root._gate)
        {
            return Task.FromResult(root._server.TryGetValue(ns + "/" + name, out var raw) ? Objects.Cached(raw) : null);
        }
    }

    public Task<CachedApproval?> ReplaceStatusAsync(CachedApproval approval, JsonObject status, CancellationToken cancellationToken)
    {
        var root = Root;
        JsonElement written;
        lock (root._gate)
        {
            if (!root._server.TryGetValue(approval.Key, out var current)) return Task.FromResult<CachedApproval?>(null);
            if (Objects.Cached(current).ResourceVersion != approval.ResourceVersion)
            {
                root.Conflicts++;
                throw new ConflictException("the object has been modified");
            }
            written = Objects.WithStatus(current, status, (++root._rv).ToString(System.Globalization.CultureInfo.InvariantCulture));
            root._server[approval.Key] = written;
            root.Writes.Enqueue((who, approval.Key, (string)status["phase"]!));
        }
        if (!CacheLags) cache.Put(written);
        return Task.FromResult<CachedApproval?>(Objects.Cached(written));
    }

    public Task EmitEventAsync(CachedApproval approval, string reason, string message, CancellationToken cancellationToken)
    {
        Root.Events.Enqueue((who, approval.Key, reason, message));
        return Task.CompletedTask;
    }

    public string? Phase(string key)
    {
        var root = Root;
        lock (root._gate)
        {
            return root._server.TryGetValue(key, out var raw) && WrittenStatus.Parse(Objects.Cached(raw).Status) is { } s ? s.Phase : null;
        }
    }
}

/// <summary>Leadership granted and taken away by the test.</summary>
internal sealed class FakeLeaderElection(string identity) : ILeaderElection
{
    private readonly SemaphoreSlim _grant = new(0);
    private CancellationTokenSource? _term;

    public string Identity => identity;

    public bool Leading => _term is not null;

    public void Grant() => _grant.Release();

    public void Revoke() => _term?.Cancel();

    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _grant.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            using var term = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            _term = term;
            try
            {
                await lead(term.Token);
            }
            finally
            {
                _term = null;
            }
        }
    }
}

internal static class Eventually
{
    public static Task True(Func<bool> condition, string what, double seconds = 5) =>
        Admission.Tests.Shared.Polling.UntilAsync(condition, TimeSpan.FromSeconds(seconds), what);

    /// <summary>"Nothing happened": <paramref name="condition"/> holds all through the span.</summary>
    public static Task Stays(Func<bool> condition, string what, double seconds = 0.3) =>
        Admission.Tests.Shared.Polling.ConsistentlyAsync(condition, TimeSpan.FromSeconds(seconds), what);
}
