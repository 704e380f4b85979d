namespace Admission.Operator.Hosting;

/// <summary>
/// The first step of a stop (SIGTERM on a rollout): /readyz turns 503 while the listener stays open
/// for <see cref="Delay"/>, so the endpoints, kube-proxy and any load balancer drop this replica
/// before it stops taking connections. Only then does Kestrel stop accepting and finish the reviews
/// in flight. Without the delay, a review routed here by a view of the endpoints a moment old would
/// meet a closed port, and kube-apiserver does not retry webhook calls: the change fails closed.
/// </summary>
public sealed partial class ShutdownDrain(TimeSpan delay, ILogger<ShutdownDrain> logger) : IHostedLifecycleService
{
    /// <summary>How long readiness fails before the listener closes.</summary>
    public TimeSpan Delay => delay;

    private volatile bool _draining;

    public bool Draining => _draining;

    /// <summary>Called before any service stops (Kestrel included), for every stop of the host.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        if (delay <= TimeSpan.Zero) return;
        LogDraining(logger, delay.TotalSeconds);
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out: stop now.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 30, Level = LogLevel.Information,
        Message = "stopping: not ready, still serving for {Seconds}s (--drain-delay) so the endpoints drop this replica, then finishing the reviews in flight")]
    private static partial void LogDraining(ILogger logger, double seconds);
}
