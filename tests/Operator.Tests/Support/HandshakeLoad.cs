namespace Admission.Operator.Tests.Support;

/// <summary>
/// Reviews sent by a few workers until stopped, each on a new client (a new TCP connection and a
/// new TLS handshake each time), so that a certificate change is met by the very next request:
/// what the certificate reload tests put the server under while they change its files.
/// </summary>
internal sealed class HandshakeLoad : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers;
    private int _answered;

    /// <param name="review">The review worker N sends.</param>
    /// <param name="problem">What is wrong with an answer, or null when it is right.</param>
    private HandshakeLoad(ApiServerClient trust, Uri address, int workers, Func<int, Review> review, Func<Review, ReviewAnswer, string?> problem)
    {
        async Task Loop(int worker)
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = trust.Create(address, pooled: false);
                var sent = review(worker);
                try
                {
                    var answer = await client.ReviewAsync(sent);
                    if (problem(sent, answer) is { } wrong) Failures.Enqueue(wrong);
                    Interlocked.Increment(ref _answered);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException)
                {
                    Failures.Enqueue($"{e.GetType().Name}: {e.Message} {e.InnerException?.Message}");
                }
            }
        }

        _workers = [.. Enumerable.Range(0, workers).Select(i => Task.Run(() => Loop(i)))];
    }

    public static HandshakeLoad Start(ApiServerClient trust, Uri address, int workers, Func<int, Review> review, Func<Review, ReviewAnswer, string?> problem) =>
        new(trust, address, workers, review, problem);

    /// <summary>Every request that failed or was answered wrongly.</summary>
    public ConcurrentQueue<string> Failures { get; } = new();

    public int Workers => _workers.Count;

    /// <summary>Waits until <paramref name="more"/> reviews beyond those answered so far have been answered.</summary>
    public async Task AnsweredAsync(int more, string what)
    {
        var from = Volatile.Read(ref _answered);
        await WebhookCalls.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref _answered)), n => n >= from + more, Timeout, what);
    }

    /// <summary>Stops the workers and waits for the requests in flight.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    /// <summary>Stops the workers too when a test fails before it stopped them itself.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
