using System.Collections.Concurrent;
using System.Threading.Channels;
using Admission.Policies;

namespace Admission.Operator.Cluster;

/// <summary>
/// The status operator, run by the leader only: keeps each ChangeApproval's status (phase,
/// approvedBy, the <c>Approved</c> condition, observedGeneration) true, writing it through the
/// status subresource only when it differs, re-reading on a conflict; wakes at each approval's
/// notBefore and expiresAt so phases flip on time; and records an Event when one becomes Approved
/// or Expired.
/// </summary>
internal sealed partial class ApprovalStatusController(
    IApprovalObjects objects, IStatusClient client, AdmissionPolicy policy, TimeProvider clock, ILogger<ApprovalStatusController> logger) : ILeaderWork
{
    private const int MaxConflictRetries = 5;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>What was last written per key: the version written over, and the status written.</summary>
    private readonly ConcurrentDictionary<string, (string? OverVersion, ApprovalStatus Status)> _written = new(StringComparer.Ordinal);

    /// <summary>Writes made, for logs and tests: key, phase.</summary>
    public event Action<string, ApprovalStatus>? StatusWritten;

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
        for (var attempt = 0; ; attempt++)
        {
            var desired = ApprovalStatus.Compute(approval, policy, now);
            var current = ApprovalStatus.Parse(approval.Status);
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
                // An Event at each phase change (contract section 9); ApprovalStatus.Phase is the one transition hook.
                if (current?.Phase != desired.Phase && desired.Phase is ApprovalStatus.Approved or ApprovalStatus.Expired or ApprovalStatus.Rejected)
                {
                    await EmitAsync(result, desired, cancellationToken).ConfigureAwait(false);
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

        if (ApprovalStatus.NextTransition(approval, now) is { } next) timer.Schedule(key, next);
        else timer.Cancel(key);
    }

    private async Task EmitAsync(CachedApproval approval, ApprovalStatus status, CancellationToken cancellationToken)
    {
        try
        {
            await client.EmitEventAsync(approval, status.Phase, status.Condition.Message, cancellationToken).ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "event for {Key} could not be recorded: {Error}")]
    private static partial void LogEventFailed(ILogger logger, string key, string error);
}
