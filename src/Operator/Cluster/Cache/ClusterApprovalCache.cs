using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Admission.Kubernetes;
using Admission.Operator.Observability;
using Admission.Operator.State;
using Admission.Policies;

namespace Admission.Operator.Cluster;

/// <summary>
/// Cluster mode's approval state: ChangeApprovals (all namespaces) and Namespaces, each fed by
/// list-then-watch (<see cref="ListWatchLoop"/>), published as an immutable snapshot swapped
/// after each change; a watch event changes the snapshot by its one object, a list replaces it.
/// Ready after the first full sync of both, and only while the API server has
/// been heard from within <c>--max-cache-staleness</c>. Before a denial, <see cref="FreshenAsync"/>
/// reads the namespace's ChangeApprovals live, so an approval made a moment ago counts.
/// </summary>
internal sealed partial class ClusterApprovalCache : BackgroundService, IApprovalState, IApprovalObjects
{
    private readonly IListWatchSource _approvalSource;
    private readonly IListWatchSource _namespaceSource;
    private readonly SharedLiveReads? _liveReader;
    private readonly TimeSpan _maxStaleness;
    private readonly ClusterTimings _timings;
    private readonly TimeProvider _clock;
    private readonly ILogger<ClusterApprovalCache> _logger;

    private readonly Lock _gate = new();
    /// <summary>The census of what is published, changed with it under the gate.</summary>
    private readonly ApprovalTally _tally = new();
    private readonly SourceState _approvalState = new();
    private readonly SourceState _namespaceState = new();
    private volatile Published _published = Published.Empty;
    private long _lastLiveReadTicks;

    public ClusterApprovalCache(
        [FromKeyedServices(ListWatchKeys.ChangeApprovals)] IListWatchSource approvalSource,
        [FromKeyedServices(ListWatchKeys.Namespaces)] IListWatchSource namespaceSource, ILiveReader? liveReader,
        ClusterSettings settings, ClusterTimings timings, TimeProvider clock, ILogger<ClusterApprovalCache> logger)
    {
        _approvalSource = approvalSource;
        _namespaceSource = namespaceSource;
        // Shared by the reviews of a namespace that need one at once, never older than their asking.
        _liveReader = liveReader is null ? null : new SharedLiveReads(liveReader, timings.LiveReadTimeout);
        _maxStaleness = settings.MaxCacheStaleness;
        _timings = timings;
        _clock = clock;
        _logger = logger;
    }

    public event Action<string>? Changed;

    public DecisionSnapshot Snapshot => _published.Snapshot;

    public IReadOnlyCollection<CachedApproval> All => _published.Approvals.Values.ToList();

    public CachedApproval? Find(string key) => _published.Approvals.GetValueOrDefault(key);

    public bool Synced => _approvalState.Synced && _namespaceState.Synced;

    public Readiness Readiness
    {
        get
        {
            if (!Synced)
            {
                return new Readiness(false,
                    $"not synced with the API server yet (ChangeApprovals: {_approvalState.Describe()}; Namespaces: {_namespaceState.Describe()})");
            }
            var age = ContactAge();
            var published = _published;
            if (age > _maxStaleness)
            {
                return new Readiness(false,
                    $"out of touch with the API server for {Seconds(age)} (more than --max-cache-staleness {Seconds(_maxStaleness)}); " +
                    $"last error: {_approvalState.LastError ?? _namespaceState.LastError ?? "none"}");
            }
            return new Readiness(true,
                $"synced: {published.Snapshot.Approvals.Count} ChangeApprovals, {published.Snapshot.Namespaces.Count} Namespaces; last contact {Seconds(age)} ago");
        }
    }

    public bool CanVerify =>
        (Synced && ContactAge() <= _maxStaleness) ||
        _clock.GetUtcNow().UtcTicks - Interlocked.Read(ref _lastLiveReadTicks) <= _maxStaleness.Ticks;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = _timings.EffectiveIdleTimeout(_maxStaleness);
        if (_maxStaleness < ClusterTimings.QuietStalenessFloor)
        {
            LogShortStaleness(_logger, Seconds(_maxStaleness), Seconds(ClusterTimings.QuietStalenessFloor), Seconds(idle));
        }
        var approvals = new ListWatchLoop(_approvalSource, new ApprovalSink(this), idle,
            new Backoff(_timings.BackoffInitial, _timings.BackoffMax), _clock, _logger);
        var namespaces = new ListWatchLoop(_namespaceSource, new NamespaceSink(this), idle,
            new Backoff(_timings.BackoffInitial, _timings.BackoffMax), _clock, _logger);
        return Task.WhenAll(
            Task.Run(() => approvals.RunAsync(stoppingToken), stoppingToken),
            Task.Run(() => namespaces.RunAsync(stoppingToken), stoppingToken));
    }

    public async ValueTask<DecisionSnapshot?> FreshenAsync(string ns, CancellationToken cancellationToken)
    {
        if (_liveReader is null) return null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timings.LiveReadTimeout);
        var published = _published;
        try
        {
            var approvalsTask = _liveReader.ApprovalsAsync(ns, timeout.Token);
            var namespaceTask = published.Snapshot.Namespaces.Labels(ns) is not null
                ? Task.FromResult<JsonElement?>(null)
                : _liveReader.NamespaceAsync(ns, timeout.Token);
            var live = await approvalsTask.ConfigureAwait(false);
            var nsObject = await namespaceTask.ConfigureAwait(false);

            // Only this namespace is replaced: the rest of the index is shared, so a live read costs
            // what that namespace holds, not what the cluster holds.
            var approvals = published.Snapshot.Approvals.ReplacingNamespace(ns, live);
            var namespaces = published.Snapshot.Namespaces;
            if (nsObject is { } nsJson)
            {
                namespaces = namespaces.Updating(ns, ObjectInspection.Labels(nsJson));
            }
            AdmissionMetrics.LiveReads.WithLabels("ok").Inc();
            Interlocked.Exchange(ref _lastLiveReadTicks, _clock.GetUtcNow().UtcTicks);
            return new DecisionSnapshot(approvals, namespaces);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            AdmissionMetrics.LiveReads.WithLabels("timeout").Inc();
            LogLiveReadFailed(_logger, ns, $"no answer within {_timings.LiveReadTimeout.TotalMilliseconds:0} ms");
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            AdmissionMetrics.LiveReads.WithLabels("error").Inc();
            LogLiveReadFailed(_logger, ns, ListWatchLoop.Describe(e));
            return null;
        }
    }

    private TimeSpan ContactAge()
    {
        var oldest = Math.Min(Interlocked.Read(ref _approvalState.LastContactTicks), Interlocked.Read(ref _namespaceState.LastContactTicks));
        return TimeSpan.FromTicks(_clock.GetUtcNow().UtcTicks - oldest);
    }

    /// <summary>The older of the two watches' last contact, for the cache-staleness alert; 0 until both have been heard.</summary>
    private void PublishContact()
    {
        var oldest = Math.Min(Interlocked.Read(ref _approvalState.LastContactTicks), Interlocked.Read(ref _namespaceState.LastContactTicks));
        AdmissionMetrics.CacheLastContact.Set(oldest == 0 ? 0 : new DateTimeOffset(oldest, TimeSpan.Zero).ToUnixTimeSeconds());
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + "s";

    private void Touch(SourceState state, string? error = null)
    {
        if (error is null)
        {
            Interlocked.Exchange(ref state.LastContactTicks, _clock.GetUtcNow().UtcTicks);
            state.LastError = null;
            PublishContact();
        }
        else
        {
            state.LastError = error;
        }
    }

    /// <summary>
    /// Swaps in the next snapshot; called under the gate. A watch event changes the published
    /// snapshot by the one object it carries (<see cref="ApprovalIndex.Updating"/>), never by
    /// rebuilding it: with 10,000 approvals a rebuild cost about 30 ms per event.
    /// </summary>
    private void Publish(Published next)
    {
        _published = next;
        AdmissionMetrics.ApprovalsCached.Set(next.Snapshot.Approvals.Count);
        AdmissionMetrics.NamespacesCached.Set(next.Snapshot.Namespaces.Count);
        ApprovalCensus.Publish(_tally.Counts);
    }

    private void RaiseChanged(IEnumerable<string> keys)
    {
        var handler = Changed;
        if (handler is null) return;
        foreach (var key in keys)
        {
            try
            {
                handler(key);
            }
            catch (Exception e)
            {
                LogHandlerFailed(_logger, key, e.Message);
            }
        }
    }

    private sealed class SourceState
    {
        public long LastContactTicks;
        public volatile bool Synced;
        public volatile string? LastError;

        public string Describe() => Synced ? "synced" : LastError ?? "waiting for the first list";
    }

    /// <summary>What decisions read, and the raw approvals it was made from (for the status operator), swapped together.</summary>
    private sealed record Published(DecisionSnapshot Snapshot, ImmutableDictionary<string, CachedApproval> Approvals)
    {
        public static readonly Published Empty = new(DecisionSnapshot.Empty, ImmutableDictionary.Create<string, CachedApproval>(StringComparer.Ordinal));
    }

    internal sealed class ApprovalSink(ClusterApprovalCache cache) : IListWatchSink
    {
        public void Replace(IReadOnlyList<JsonElement> items)
        {
            List<string> keys;
            lock (cache._gate)
            {
                var published = cache._published;
                keys = [.. published.Approvals.Keys];
                var approvals = ImmutableDictionary.CreateBuilder<string, CachedApproval>(StringComparer.Ordinal);
                foreach (var item in items)
                {
                    if (Read(item) is { } approval)
                    {
                        approvals[approval.Key] = approval;
                        keys.Add(approval.Key);
                    }
                }
                cache._tally.Clear();
                foreach (var approval in approvals.Values) cache._tally.Change(null, approval);
                var index = new ApprovalIndex(approvals.Values.Where(a => a.Model is not null).Select(a => a.Model!));
                cache.Publish(new Published(published.Snapshot with { Approvals = index }, approvals.ToImmutable()));
                cache.Touch(cache._approvalState);
                cache._approvalState.Synced = true;
            }
            cache.RaiseChanged(keys.Distinct(StringComparer.Ordinal));
        }

        public void Apply(WatchEventKind kind, JsonElement obj)
        {
            var approval = Read(obj);
            if (approval is null) return;
            lock (cache._gate)
            {
                var published = cache._published;
                var before = published.Approvals.GetValueOrDefault(approval.Key);
                var after = kind == WatchEventKind.Deleted ? null : approval;
                cache._tally.Change(before, after);
                var index = published.Snapshot.Approvals.Updating(before?.Model, after?.Model);
                cache.Publish(new Published(published.Snapshot with { Approvals = index },
                    after is null ? published.Approvals.Remove(approval.Key) : published.Approvals.SetItem(approval.Key, after)));
                cache.Touch(cache._approvalState);
            }
            cache.RaiseChanged([approval.Key]);
        }

        public void Contact() => cache.Touch(cache._approvalState);

        public void Failed(string error) => cache.Touch(cache._approvalState, error);

        private CachedApproval? Read(JsonElement item)
        {
            var approval = CachedApproval.From(item);
            if (approval?.Problem is { } problem)
            {
                LogUnreadable(cache._logger, approval.Key, problem);
            }
            return approval;
        }
    }

    internal sealed class NamespaceSink(ClusterApprovalCache cache) : IListWatchSink
    {
        public void Replace(IReadOnlyList<JsonElement> items)
        {
            lock (cache._gate)
            {
                var labels = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
                foreach (var item in items)
                {
                    if (Name(item) is { } name) labels[name] = ObjectInspection.Labels(item);
                }
                var published = cache._published;
                cache.Publish(published with { Snapshot = published.Snapshot with { Namespaces = new NamespaceIndex(labels) } });
                cache.Touch(cache._namespaceState);
                cache._namespaceState.Synced = true;
            }
        }

        public void Apply(WatchEventKind kind, JsonElement obj)
        {
            if (Name(obj) is not { } name) return;
            lock (cache._gate)
            {
                var published = cache._published;
                var namespaces = published.Snapshot.Namespaces.Updating(name, kind == WatchEventKind.Deleted ? null : ObjectInspection.Labels(obj));
                cache.Publish(published with { Snapshot = published.Snapshot with { Namespaces = namespaces } });
                cache.Touch(cache._namespaceState);
            }
        }

        public void Contact() => cache.Touch(cache._namespaceState);

        public void Failed(string error) => cache.Touch(cache._namespaceState, error);

        private static string? Name(JsonElement item) => ObjectFields.Name(item);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ChangeApproval {Key} does not read and approves nothing: {Problem}")]
    private static partial void LogUnreadable(ILogger logger, string key, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "live read of namespace {Namespace}'s ChangeApprovals failed, deciding from the cache: {Error}")]
    private static partial void LogLiveReadFailed(ILogger logger, string @namespace, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "--max-cache-staleness {Staleness} is under {Floor}: a quiet watch is presumed stalled after {Idle} and listed again, " +
        "although kube-apiserver only sends a bookmark every minute; raise it unless the extra lists are intended")]
    private static partial void LogShortStaleness(ILogger logger, string staleness, string floor, string idle);

    [LoggerMessage(Level = LogLevel.Error, Message = "change handler failed for {Key}: {Error}")]
    private static partial void LogHandlerFailed(ILogger logger, string key, string error);
}
