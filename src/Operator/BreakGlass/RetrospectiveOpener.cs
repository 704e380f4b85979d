using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Admission.Kubernetes;
using Admission.Operator.Cluster;
using Admission.Policies;
using Admission.Policies.Model;
using k8s;
using k8s.Autorest;

namespace Admission.Operator.BreakGlass;

/// <summary>Creates ChangeApprovals as the operator. Tests record these calls.</summary>
internal interface IApprovalCreator
{
    /// <summary>The approval as created; null when one of that name already exists (409 AlreadyExists).</summary>
    Task<CachedApproval?> CreateAsync(JsonObject approval, CancellationToken cancellationToken);
}

internal sealed class KubernetesApprovalCreator(IKubernetes client) : IApprovalCreator
{
    public async Task<CachedApproval?> CreateAsync(JsonObject approval, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.CustomObjects.CreateNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(
                approval, ChangeApproval.Group, ChangeApproval.Version, NodeFields.Namespace(approval) ?? "", ChangeApproval.Plural,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return CachedApproval.From(response.Body);
        }
        catch (HttpOperationException e) when (ApiError.From(e).IsConflict)
        {
            return null;
        }
    }
}

/// <summary>
/// Opens the retrospective ChangeApproval of each break-glass admission this replica made, off
/// the decision path: the webhook hands the admission over (<see cref="Record"/> never waits),
/// and this writes the approval, retrying with backoff until the API server has it. The replica
/// that admitted is the one that knows who broke the glass (the stored object does not say), so
/// it writes, not the leader; the approval's name comes from the admission's uid, so a retry, a
/// restart or another replica never opens a second one. The write carries the break-glass change
/// record; it is logged and sent as an Event too.
/// </summary>
internal sealed partial class RetrospectiveOpener(
    IApprovalCreator creator, IStatusClient events, AdmissionPolicy policy, TimeProvider clock, ILoggerFactory loggers,
    ClusterTimings? timings = null) : BackgroundService, IBreakGlassLedger
{
    // Break glass is rare; a flood past this is an incident of its own, and each admission is logged anyway.
    private const int Capacity = 10_000;
    private readonly Channel<BreakGlassAdmission> _queue = Channel.CreateBounded<BreakGlassAdmission>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ILogger _audit = loggers.CreateLogger("Admission.Audit");
    private readonly ILogger _logger = loggers.CreateLogger<RetrospectiveOpener>();

    /// <summary>Raised with each retrospective ChangeApproval's name once the API server has it (for tests).</summary>
    public event Action<string>? Opened;

    public void Record(BreakGlassAdmission admission)
    {
        if (!_queue.Writer.TryWrite(admission)) LogDropped(_logger, admission.Uid, admission.User, admission.Namespace, admission.Name);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var admission in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await OpenAsync(admission, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    internal async Task OpenAsync(BreakGlassAdmission admission, CancellationToken cancellationToken)
    {
        var record = RetrospectiveApproval.Record(admission, clock.GetUtcNow());
        // Five minutes inside maxValidity, so the webhook's bound holds whatever the clocks say.
        var validity = policy.MaxValidity > TimeSpan.FromMinutes(10) ? policy.MaxValidity - TimeSpan.FromMinutes(5) : policy.MaxValidity / 2;
        var approval = RetrospectiveApproval.Build(admission, record, validity);
        var name = RetrospectiveApproval.NameFor(admission);
        // The cluster's retry bounds when given; without them, a second doubling to a minute.
        var backoff = timings is null ? new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)) : new Backoff(timings.BackoffInitial, timings.BackoffMax);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // expiresAt is checked against the webhook's clock: rebuild it on each try.
                approval["spec"]!["expiresAt"] = ChangeApprovalReader.FormatTime(clock.GetUtcNow() + validity);
                var created = await creator.CreateAsync(approval.DeepClone().AsObject(), cancellationToken).ConfigureAwait(false);
                if (created is null)
                {
                    LogExisted(_logger, admission.Namespace, name);
                    Opened?.Invoke(name);
                    return;
                }
                var recordText = record.ToJsonString();
                LogRecord(_audit, recordText);
                LogOpened(_logger, admission.Namespace, name, admission.User, admission.Kind, admission.Name);
                try
                {
                    await events.EmitEventAsync(created, "BreakGlassAdmitted",
                        $"break glass: {admission.Operation.ToWire()} of {admission.Kind} {admission.Namespace}/{admission.Name} by {admission.User} without approval; " +
                        $"two approvers other than {admission.User} must review this ChangeApproval; record: {recordText}", cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The approval and the log line are the record; the Event is a courtesy.
                    LogEventFailed(_logger, name, ListWatchLoop.Describe(e));
                }
                Opened?.Invoke(name);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var delay = backoff.Next();
                LogRetry(_logger, admission.Namespace, name, attempt, ListWatchLoop.Describe(e), delay.TotalSeconds);
                await Task.Delay(delay, clock, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "change record {Record}")]
    private static partial void LogRecord(ILogger logger, string record);

    [LoggerMessage(Level = LogLevel.Information, Message = "retrospective ChangeApproval {Namespace}/{Name} opened for the break-glass change of {Kind} {Target} by {User}")]
    private static partial void LogOpened(ILogger logger, string @namespace, string name, string user, string kind, string target);

    [LoggerMessage(Level = LogLevel.Information, Message = "retrospective ChangeApproval {Namespace}/{Name} already exists")]
    private static partial void LogExisted(ILogger logger, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "retrospective ChangeApproval {Namespace}/{Name} not created (attempt {Attempt}), retrying in {DelaySeconds}s: {Error}")]
    private static partial void LogRetry(ILogger logger, string @namespace, string name, int attempt, string error, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "event for retrospective ChangeApproval {Name} could not be recorded: {Error}")]
    private static partial void LogEventFailed(ILogger logger, string name, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "break-glass admission uid={Uid} by {User} of {Namespace}/{Name} not queued for review (queue full); open its retrospective ChangeApproval by hand")]
    private static partial void LogDropped(ILogger logger, string uid, string user, string @namespace, string name);
}
