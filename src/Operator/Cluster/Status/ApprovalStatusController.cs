using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Admission.Policies;

namespace Admission.Operator.Cluster;

/// <summary>
/// The status operator, run by the leader only: keeps each ChangeApproval's status (phase,
/// approvedBy, the <c>Approved</c> condition, observedGeneration) true, writing it through the
/// status subresource only when it differs, re-reading on a conflict; wakes at each approval's
/// notBefore and expiresAt so phases flip on time; sets appliedAt and the <c>Applied</c> condition
/// when it reads the target of an Approved exact-change approval and finds the approved digest
/// (re-reading every <see cref="ClusterTimings.AppliedCheckInterval"/> of <paramref name="timings"/>, 5 s without, until then); and records an Event at
/// each phase change. Only the leader runs it, so each Event is recorded once.
/// </summary>
internal sealed partial class ApprovalStatusController(
    IApprovalObjects objects, IStatusClient client, AdmissionPolicy policy, TimeProvider clock, ILogger<ApprovalStatusController> logger,
    ITargetReader? targets = null, ClusterTimings? timings = null) : ILeaderWork
{
    private readonly TimeSpan _appliedCheck = timings?.AppliedCheckInterval ?? TimeSpan.FromSeconds(5);

    private const int MaxConflictRetries = 5;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>What was last written per key: the version written over, and the status written.</summary>
    private readonly ConcurrentDictionary<string, (string? OverVersion, WrittenStatus Status)> _written = new(StringComparer.Ordinal);

    /// <summary>Writes made, for logs and tests: key, phase.</summary>
    public event Action<string, WrittenStatus>? StatusWritten;

    /// <summary>
    /// The one transition hook: raised once per phase change written (key, previous phase or null
    /// for the first status, new status), right after the write and its Event. Notifiers hook here.
    /// </summary>
    public event Action<string, string?, WrittenStatus>? PhaseChanged;

    /// <summary>The requeue timer while running, for tests.</summary>
    internal RequeueTimer? Timer { get; private set; }

    /// <summary>Runs until <paramref name="leading"/> is cancelled (leadership lost or shutdown).</summary>
    public async Task RunAsync(CancellationToken leading)
    {
        var queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        var queued = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        void Enqueue(string key)
        {
            if (queued.TryAdd(key, true)) queue.Writer.TryWrite(key);
        }

        using var timer = new RequeueTimer(clock, Enqueue);
        Timer = timer;
        _written.Clear();
        objects.Changed += Enqueue;
        LogStarted(logger);
        try
        {
            foreach (var approval in objects.All) Enqueue(approval.Key);
            await foreach (var key in queue.Reader.ReadAllAsync(leading).ConfigureAwait(false))
            {
                queued.TryRemove(key, out _);
                try
                {
                    await ReconcileAsync(key, timer, leading).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (leading.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    LogFailed(logger, key, ListWatchLoop.Describe(e), RetryDelay.TotalSeconds);
                    timer.Schedule(key, clock.GetUtcNow() + RetryDelay);
                }
            }
        }
        catch (OperationCanceledException) when (leading.IsCancellationRequested)
        {
            // leadership lost or stopping
        }
        finally
        {
            objects.Changed -= Enqueue;
            Timer = null;
            LogStopped(logger);
        }
    }

    internal async Task ReconcileAsync(string key, RequeueTimer timer, CancellationToken cancellationToken)
    {
        var approval = objects.Find(key);
        if (approval is null)
        {
            timer.Cancel(key);
            _written.TryRemove(key, out _);
            return;
        }
        var now = clock.GetUtcNow();
        var seenApplied = await SeenAppliedAsync(approval, now, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var desired = WrittenStatus.Compute(approval, policy, now, seenApplied);
            var current = WrittenStatus.Parse(approval.Status);
            if (desired.Equals(current)) break;
            // Our own write not seen by the cache yet: writing again would only conflict.
            if (_written.TryGetValue(key, out var written) && written.OverVersion == approval.ResourceVersion && written.Status.Equals(desired)) break;

            try
            {
                var result = await client.ReplaceStatusAsync(approval, desired.ToJson(), cancellationToken).ConfigureAwait(false);
                if (result is null)
                {
                    timer.Cancel(key);
                    return;
                }
                _written[key] = (approval.ResourceVersion, desired);
                LogWritten(logger, key, desired.Phase, desired.Condition.Reason, desired.Condition.Message);
                StatusWritten?.Invoke(key, desired);
                // An Event at each phase change (contract section 9); a new approval starting Pending is no change.
                if (current?.Phase != desired.Phase && (current is not null || desired.Phase != WrittenStatus.Pending))
                {
                    await EmitAsync(result, desired, cancellationToken).ConfigureAwait(false);
                    PhaseChanged?.Invoke(key, current?.Phase, desired);
                }
                approval = result;
                break;
            }
            catch (ConflictException) when (attempt < MaxConflictRetries)
            {
                LogConflict(logger, key, attempt + 1);
                var fresh = await client.GetAsync(approval.Namespace, approval.Name, cancellationToken).ConfigureAwait(false);
                if (fresh is null)
                {
                    timer.Cancel(key);
                    return;
                }
                approval = fresh;
            }
        }

        var next = WrittenStatus.NextTransition(approval, now);
        if (AwaitsApply(approval, now, out _))
        {
            var check = now + _appliedCheck;
            if (next is null || check < next) next = check;
        }
        if (next is { } at) timer.Schedule(key, at);
        else timer.Cancel(key);
    }

    /// <summary>
    /// An Approved approval with a CREATE or UPDATE <c>change</c> not yet seen applied: its target is
    /// worth reading. (A DELETE leaves no object to see; its approval is never Applied.)
    /// </summary>
    private bool AwaitsApply(CachedApproval approval, DateTimeOffset now, out string version)
    {
        version = "";
        if (targets is null || approval.Model is not { Change: not null } model) return false;
        // A retrospective approval reviews a break-glass change that is already in: it admits
        // nothing, so it is never Applied; it stays Pending until reviewed (issue 14).
        if (model.Retrospective) return false;
        if (WrittenStatus.Parse(approval.Status)?.AppliedAt is not null) return false;
        if (!model.Operations.Any(o => o is Operation.Create or Operation.Update)) return false;
        if (!model.IsValid(now, policy.RequiredApprovals)) return false;
        if (TargetVersions.For(model) is not { } v) return false;
        version = v;
        return true;
    }

    /// <summary>Now, when the target is stored with the approved change digest (the engine's one digest function); else null.</summary>
    private async Task<DateTimeOffset?> SeenAppliedAsync(CachedApproval approval, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!AwaitsApply(approval, now, out var version)) return null;
        var model = approval.Model!;
        JsonElement? live;
        try
        {
            live = await targets!.GetAsync(model.Namespace, model.Target, version, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not seen this time; the next check reads again.
            LogTargetFailed(logger, approval.Key, ListWatchLoop.Describe(e));
            return null;
        }
        if (live is not { } obj || !Policies.Digest.ChangeDigest.TryOf(obj, policy, out var digest, out _)) return null;
        if (!string.Equals(digest, model.Change!.Digest, StringComparison.Ordinal)) return null;
        LogSeenApplied(logger, approval.Key, digest);
        return now;
    }

    private async Task EmitAsync(CachedApproval approval, WrittenStatus status, CancellationToken cancellationToken)
    {
        try
        {
            var message = status.Phase == WrittenStatus.Applied && status.AppliedAt is { } at
                ? $"{approval.Model?.Target.Kind}/{approval.Model?.Target.Name} seen with the approved change {approval.Model?.Change?.Digest} at {WrittenStatus.Time(at)}"
                : status.Condition.Message;
            await client.EmitEventAsync(approval, status.Phase, message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // An Event is a courtesy; the status is the record.
            LogEventFailed(logger, approval.Key, ListWatchLoop.Describe(e));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "status operator started (this replica leads)")]
    private static partial void LogStarted(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "status operator stopped")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "status written ChangeApproval={Key} phase={Phase} reason={Reason}: {Message}")]
    private static partial void LogWritten(ILogger logger, string key, string phase, string reason, string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "status of {Key} changed meanwhile (conflict {Attempt}); re-reading")]
    private static partial void LogConflict(ILogger logger, string key, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "status of {Key} could not be written, retrying in {DelaySeconds}s: {Error}")]
    private static partial void LogFailed(ILogger logger, string key, string error, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "target of ChangeApproval={Key} seen with the approved change {Digest}")]
    private static partial void LogSeenApplied(ILogger logger, string key, string digest);

    [LoggerMessage(Level = LogLevel.Warning, Message = "target of {Key} could not be read, checking again later: {Error}")]
    private static partial void LogTargetFailed(ILogger logger, string key, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "event for {Key} could not be recorded: {Error}")]
    private static partial void LogEventFailed(ILogger logger, string key, string error);
}
