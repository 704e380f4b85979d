namespace Admission.TestApiServer.Controllers;

/// <summary>
/// A controller's work queue, as client-go's rate-limited workqueue behaves for one worker: an item
/// queued twice is synced once, an item queued while it syncs is synced again afterwards, and an item
/// whose sync fails comes back after an exponential delay (base doubling up to a cap), forever.
/// </summary>
internal sealed class WorkQueue<T> : IDisposable
    where T : notnull
{
    private readonly Func<T, CancellationToken, Task<bool>> _sync;
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;
    private readonly Channel<T> _channel = Channel.CreateUnbounded<T>();
    private readonly ConcurrentDictionary<T, byte> _queued = new();
    private readonly ConcurrentDictionary<T, int> _failures = new();
    private readonly CancellationTokenSource _stop = new();

    /// <param name="sync">True when the item is done; false (or an exception) to retry it later.</param>
    public WorkQueue(Func<T, CancellationToken, Task<bool>> sync, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        _sync = sync;
        _baseDelay = baseDelay;
        _maxDelay = maxDelay;
        _ = Task.Run(RunAsync);
    }

    /// <summary>The last exception a sync threw, for a test that wants to know why a controller is stuck.</summary>
    public Exception? LastError { get; private set; }

    public void Add(T item)
    {
        if (!_stop.IsCancellationRequested && _queued.TryAdd(item, 0))
        {
            _channel.Writer.TryWrite(item);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _channel.Writer.TryComplete();
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var item in _channel.Reader.ReadAllAsync(_stop.Token))
            {
                _queued.TryRemove(item, out _);
                bool done;
                try
                {
                    done = await _sync(item, _stop.Token);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    LastError = e;
                    done = false;
                }

                if (done)
                {
                    _failures.TryRemove(item, out _);
                    continue;
                }

                var failures = _failures.AddOrUpdate(item, 1, (_, n) => n + 1);
                var delay = TimeSpan.FromTicks((long)Math.Min(_maxDelay.Ticks, _baseDelay.Ticks * Math.Pow(2, Math.Min(failures - 1, 40))));
                _ = RetryLaterAsync(item, delay);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RetryLaterAsync(T item, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stop.Token);
            Add(item);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
