using Admission.Operator.Cluster;
using Admission.Operator.Notifications;

namespace Admission.Operator.Audit;

/// <summary>
/// Leader-only: when a ChangeApproval's change is applied (the Applied phase or condition, or
/// status.appliedAt), emits its <see cref="ChangeRecord"/> once: one JSON log line
/// (category Admission.Audit, message "change record {...}"), an Event <c>ChangeApplied</c> on the
/// ChangeApproval, and the annotation <see cref="ChangeRecord.Annotation"/>, which a new leader
/// reads to know the record is already out. The log line and the Event outlive the object.
/// </summary>
internal sealed partial class AuditRecorder(
    IApprovalObjects objects, IAnnotationWriter annotations, IStatusClient events, TimeProvider clock, ILoggerFactory loggers) : ILeaderWork
{
    private readonly ILogger _audit = loggers.CreateLogger("Admission.Audit");
    private readonly ILogger _logger = loggers.CreateLogger<AuditRecorder>();

    public Task RunAsync(CancellationToken leading)
    {
        // Applied once seen stays applied, even if a later status (an older operator) no longer says so.
        var applied = new System.Collections.Concurrent.ConcurrentDictionary<string, CachedApproval>(StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        bool Wanted(string key) =>
            objects.Find(key) is { Model: not null } approval && !ChangeRecord.Emitted(approval.Raw) &&
            NotificationEvents.Of(approval.Raw, []).Any(e => e.Kind == NotificationKind.Applied) && applied.TryAdd(key, approval);
        return ChangedApprovals.EachAsync(objects, Wanted, key => done.Add(key) && applied.TryGetValue(key, out var seen) ? RecordAsync(key, seen, leading) : Task.CompletedTask, leading);
    }

    private async Task RecordAsync(string key, CachedApproval seen, CancellationToken leading)
    {
        // The object as seen applied, with the latest reviews if it is still there.
        var approval = objects.Find(key) is { Model: not null } now ? now : seen;
        if (ChangeRecord.Emitted(approval.Raw)) return;
        var record = ChangeRecord.Build(approval, clock.GetUtcNow()).ToJsonString();
        LogRecord(_audit, record);
        try
        {
            await events.EmitEventAsync(approval, "ChangeApplied",
                $"change applied: {approval.Model!.Target.Kind} {approval.Namespace}/{approval.Model.Target.Name}, requested by {approval.Model.RequestedBy}, approved by {string.Join(", ", approval.Model.CountedApprovers())}; record: {record}",
                leading).ConfigureAwait(false);
            await annotations.SetAsync(approval, ChangeRecord.Annotation, record, leading).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The log line is out; the next leader (or a restart) repeats the Event and annotation.
            LogFailed(_logger, key, ListWatchLoop.Describe(e));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "change record {Record}")]
    private static partial void LogRecord(ILogger logger, string record);

    [LoggerMessage(Level = LogLevel.Warning, Message = "change record of {Key} logged but not kept on the object: {Error}")]
    private static partial void LogFailed(ILogger logger, string key, string error);
}
