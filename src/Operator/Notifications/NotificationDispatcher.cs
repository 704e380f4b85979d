using System.Collections.Concurrent;
using System.Threading.Channels;
using Admission.Operator.Cluster;
using Admission.Policies;

namespace Admission.Operator.Notifications;

/// <summary>
/// Leader-only: tells each configured receiver what happens to the ChangeApprovals routed to it.
/// Events are read from every change the cache sees (so a phase seen once counts even if it is
/// overwritten later), queued per receiver, and sent in order per ChangeApproval, each once: the
/// ids sent are recorded on the ChangeApproval (<see cref="DeliveryRecord"/>) after delivery, so
/// a new leader resumes where the last stopped. A slow or dead receiver holds up only its own
/// queue; decisions never wait for any of this.
/// </summary>
internal sealed partial class NotificationDispatcher(
    IApprovalObjects objects, IAnnotationWriter recorder, NotificationConfig config, AdmissionPolicy policy,
    NotificationTimings timings, TimeProvider clock, ILogger<NotificationDispatcher> logger) : ILeaderWork
{
    private readonly IApprovalObjects _objects = objects;
    private readonly IAnnotationWriter _recorder = recorder;
    private readonly AdmissionPolicy _policy = policy;
    private readonly NotificationTimings _timings = timings;
    private readonly TimeProvider _clock = clock;
    private readonly ILogger _logger = logger;

    public async Task RunAsync(CancellationToken leading)
    {
        if (config.Receivers.Count == 0) return;
        var observed = new ConcurrentDictionary<string, List<NotificationEvent>>(StringComparer.Ordinal);
        var workers = config.Receivers.Select(r => new Worker(this, r, observed)).ToList();

        void OnChanged(string key)
        {
            var approval = _objects.Find(key);
            if (approval is null)
            {
                observed.TryRemove(key, out _);
                return;
            }
            if (approval.Model is null) return; // approves nothing; nothing to tell
            var list = observed.GetOrAdd(key, _ => []);
            lock (list)
            {
                var seen = list.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
                foreach (var e in NotificationEvents.Of(approval.Raw, seen))
                {
                    if (seen.Add(e.Id)) list.Add(e);
                }
            }
            var labels = ObjectInspection.Labels(approval.Raw);
            foreach (var worker in workers)
            {
                if (worker.Receiver.Routes(approval.Namespace, labels)) worker.Enqueue(key);
            }
        }

        _objects.Changed += OnChanged;
        LogStarted(_logger, config.Receivers.Count);
        try
        {
            foreach (var approval in _objects.All) OnChanged(approval.Key);
            await Task.WhenAll(workers.Select(w => Task.Run(() => w.RunAsync(leading), CancellationToken.None))).ConfigureAwait(false);
        }
        finally
        {
            _objects.Changed -= OnChanged;
            foreach (var worker in workers) worker.Dispose();
        }
    }

    private sealed class Worker(NotificationDispatcher owner, Receiver receiver, ConcurrentDictionary<string, List<NotificationEvent>> observed) : IDisposable
    {
        private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        private readonly ConcurrentDictionary<string, bool> _queued = new(StringComparer.Ordinal);

        /// <summary>Ids this leader has sent per key, until the cache shows the recorded annotation.</summary>
        private readonly Dictionary<string, HashSet<string>> _sent = new(StringComparer.Ordinal);

        private readonly NotificationSender _sender = new(receiver, owner._timings, owner._logger);

        public Receiver Receiver => receiver;

        public void Enqueue(string key)
        {
            if (_queued.TryAdd(key, true)) _queue.Writer.TryWrite(key);
        }

        public async Task RunAsync(CancellationToken leading)
        {
            try
            {
                await foreach (var key in _queue.Reader.ReadAllAsync(leading).ConfigureAwait(false))
                {
                    _queued.TryRemove(key, out _);
                    await SendDueAsync(key, leading).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (leading.IsCancellationRequested)
            {
                // leadership lost or stopping: the next leader reads the records and resumes
            }
        }

        private async Task SendDueAsync(string key, CancellationToken leading)
        {
            if (owner._objects.Find(key) is not { Model: not null } approval || !observed.TryGetValue(key, out var list)) return;
            List<NotificationEvent> events;
            lock (list) events = [.. list];
            var recorded = DeliveryRecord.Read(approval.Raw, receiver.Name).ToList();
            if (!_sent.TryGetValue(key, out var sent)) _sent[key] = sent = new HashSet<string>(StringComparer.Ordinal);
            foreach (var id in sent)
            {
                if (!recorded.Contains(id, StringComparer.Ordinal)) recorded.Add(id);
            }
            foreach (var e in events)
            {
                if (recorded.Contains(e.Id, StringComparer.Ordinal)) continue;
                var body = receiver.Type == ReceiverType.Slack
                    ? NotificationMessages.Slack(e, approval, owner._policy.RequiredApprovals)
                    : NotificationMessages.Json(e, approval, owner._policy.RequiredApprovals, owner._clock.GetUtcNow());
                // Cancelled here (leadership lost) means not sent as far as we know: the next leader sends it.
                await _sender.DeliverAsync($"{approval.Uid}/{e.Id}", e.Kind.Wire(), body, leading).ConfigureAwait(false);
                // Sent or given up, it is done: record it even while stopping, so the next leader does not repeat it.
                sent.Add(e.Id);
                recorded.Add(e.Id);
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await owner._recorder.SetAsync(approval, DeliveryRecord.Key(receiver.Name), DeliveryRecord.Format(recorded), bound.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || bound.IsCancellationRequested)
                {
                    LogRecordFailed(owner._logger, key, receiver.Name, ListWatchLoop.Describe(ex));
                }
            }
        }

        public void Dispose() => _sender.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "notifications started for {Count} receivers (this replica leads)")]
    private static partial void LogStarted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not record the notifications sent for {Key} to {Receiver} (a new leader may send them again): {Error}")]
    private static partial void LogRecordFailed(ILogger logger, string key, string receiver, string error);
}
