namespace Admission.Operator.Cluster;

/// <summary>
/// Calls back with a key when its time comes: one pending time per key, one timer for the
/// earliest, all driven by a <see cref="TimeProvider"/> so tests can move time by hand.
/// </summary>
internal sealed class RequeueTimer : IDisposable
{
    private readonly TimeProvider _clock;
    private readonly Action<string> _due;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _pending = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, DateTimeOffset> _queue = new();
    private readonly ITimer _timer;
    private bool _disposed;

    public RequeueTimer(TimeProvider clock, Action<string> due)
    {
        _clock = clock;
        _due = due;
        _timer = clock.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The pending times, for tests and logs.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> Pending
    {
        get
        {
            lock (_gate) return new Dictionary<string, DateTimeOffset>(_pending, StringComparer.Ordinal);
        }
    }

    /// <summary>Replaces any pending time for <paramref name="key"/>.</summary>
    public void Schedule(string key, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (_disposed) return;
            _pending[key] = at;
            _queue.Enqueue(key, at);
            Arm();
        }
    }

    public void Cancel(string key)
    {
        lock (_gate) _pending.Remove(key);
    }

    private void Fire()
    {
        var due = new List<string>();
        lock (_gate)
        {
            if (_disposed) return;
            var now = _clock.GetUtcNow();
            while (_queue.TryPeek(out var key, out var at) && at <= now)
            {
                _queue.Dequeue();
                // A stale entry (rescheduled or cancelled since) is skipped.
                if (_pending.TryGetValue(key, out var current) && current == at)
                {
                    _pending.Remove(key);
                    due.Add(key);
                }
            }
            Arm();
        }
        foreach (var key in due) _due(key);
    }

    /// <summary>Sets the timer for the earliest live entry; called under the gate.</summary>
    private void Arm()
    {
        while (_queue.TryPeek(out var key, out var at) && (!_pending.TryGetValue(key, out var current) || current != at))
        {
            _queue.Dequeue();
        }
        if (!_queue.TryPeek(out _, out var next))
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }
        var wait = next - _clock.GetUtcNow();
        _timer.Change(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer.Dispose();
        }
    }
}
