using System.Text.Json;
using Admission.Kubernetes;

namespace Admission.Operator.Cluster;

/// <summary>What a <see cref="ListWatchLoop"/> feeds: the cache's store for one collection.</summary>
internal interface IListWatchSink
{
    /// <summary>A full list: everything known before is replaced.</summary>
    void Replace(IReadOnlyList<JsonElement> items);

    void Apply(WatchEventKind kind, JsonElement obj);

    /// <summary>The server was heard from (a bookmark) without any change.</summary>
    void Contact();

    /// <summary>A list or watch failed; the store keeps what it has.</summary>
    void Failed(string error);
}

/// <summary>
/// List, then watch from the list's resourceVersion, for ever: bookmarks move the resourceVersion
/// on; a 410 relists; a watch the server closes is resumed where it left off; a failure relists
/// after a jittered, capped exponential backoff; a watch that stays silent longer than the idle
/// timeout (no event, no bookmark) is presumed stalled and replaced by a relist, which also proves
/// the API server is still there.
/// </summary>
internal sealed partial class ListWatchLoop(
    IListWatchSource source, IListWatchSink sink, TimeSpan idleTimeout, Backoff backoff, TimeProvider clock, ILogger logger)
{
    /// <summary>A watch that ends sooner than this without events counts as a failure, so a server that closes at once is not hammered.</summary>
    private static readonly TimeSpan ShortWatch = TimeSpan.FromSeconds(1);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        string? resourceVersion = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (resourceVersion is null)
            {
                try
                {
                    var list = await source.ListAsync(stoppingToken).ConfigureAwait(false);
                    sink.Replace(list.Items);
                    resourceVersion = list.ResourceVersion;
                    LogListed(logger, source.Name, list.Items.Count, resourceVersion);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    var error = $"list failed: {Describe(e)}";
                    sink.Failed(error);
                    var delay = NextDelay(RetryAfter(e));
                    LogFailed(logger, source.Name, error, delay.TotalSeconds);
                    await DelayAsync(delay, stoppingToken).ConfigureAwait(false);
                    continue;
                }
            }

            var (next, outcome, detail) = await WatchOnceAsync(resourceVersion, stoppingToken).ConfigureAwait(false);
            resourceVersion = next;
            switch (outcome)
            {
                case Outcome.Stopped:
                    return;
                case Outcome.Closed:
                    backoff.Reset();
                    LogResumed(logger, source.Name, resourceVersion);
                    break;
                case Outcome.Expired:
                    backoff.Reset();
                    LogRelist(logger, source.Name, detail);
                    resourceVersion = null;
                    break;
                case Outcome.Stalled:
                    LogRelist(logger, source.Name, detail);
                    resourceVersion = null;
                    break;
                case Outcome.Failed:
                    // Like client-go's reflector: after a failed watch, start over with a list. What the
                    // failure hides (an expired resourceVersion reported as something else, events lost
                    // with the connection) cannot then leave the cache wrong.
                    sink.Failed(detail);
                    var delay = NextDelay(_watchRetryAfter);
                    LogFailed(logger, source.Name, detail, delay.TotalSeconds);
                    await DelayAsync(delay, stoppingToken).ConfigureAwait(false);
                    resourceVersion = null;
                    break;
            }
        }
    }

    private enum Outcome
    {
        Stopped,
        Closed,
        Expired,
        Stalled,
        Failed,
    }

    private async Task<(string ResourceVersion, Outcome Outcome, string Detail)> WatchOnceAsync(string resourceVersion, CancellationToken stoppingToken)
    {
        using var idle = new CancellationTokenSource(idleTimeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, idle.Token);
        var started = clock.GetTimestamp();
        var events = 0;
        try
        {
            await foreach (var ev in source.WatchAsync(resourceVersion, linked.Token).WithCancellation(linked.Token).ConfigureAwait(false))
            {
                idle.CancelAfter(idleTimeout);
                events++;
                switch (ev.Kind)
                {
                    case WatchEventKind.Error when ev.ErrorCode == 410:
                        return (resourceVersion, Outcome.Expired, $"resourceVersion {resourceVersion} expired: {ev.ErrorMessage}");
                    case WatchEventKind.Error:
                        return (resourceVersion, Outcome.Failed, $"watch error {ev.ErrorCode}: {ev.ErrorMessage}");
                    case WatchEventKind.Bookmark:
                        resourceVersion = ev.ResourceVersion ?? resourceVersion;
                        sink.Contact();
                        break;
                    default:
                        sink.Apply(ev.Kind, ev.Object);
                        resourceVersion = ev.ResourceVersion ?? resourceVersion;
                        break;
                }
                backoff.Reset();
            }
            if (events == 0 && clock.GetElapsedTime(started) < ShortWatch)
            {
                return (resourceVersion, Outcome.Failed, "the watch closed at once");
            }
            return (resourceVersion, Outcome.Closed, "");
        }
        catch (ResourceExpiredException e)
        {
            return (resourceVersion, Outcome.Expired, $"resourceVersion {resourceVersion} expired: {e.Message}");
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return (resourceVersion, Outcome.Stopped, "");
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested)
        {
            return (resourceVersion, Outcome.Stalled, $"watch silent for {idleTimeout.TotalSeconds:0.#}s (no event or bookmark): presumed stalled");
        }
        catch (Exception e)
        {
            _watchRetryAfter = RetryAfter(e);
            return (resourceVersion, Outcome.Failed, $"watch failed: {Describe(e)}");
        }
    }

    // The Retry-After of the last failed watch, taken by the delay that follows it.
    private TimeSpan? _watchRetryAfter;

    /// <summary>
    /// The backoff's delay, or longer when the API server said when to come back (429 from API
    /// Priority and Fairness, 503 while it starts or sheds load), as client-go honours it: retrying
    /// sooner only adds to the load that made it refuse. Capped at the backoff's maximum, so a
    /// replica never goes longer than that without trying to get back in touch.
    /// </summary>
    private TimeSpan NextDelay(TimeSpan? retryAfter)
    {
        _watchRetryAfter = null;
        return DelayFor(backoff.Next(), retryAfter, backoff.Max);
    }

    internal static TimeSpan DelayFor(TimeSpan backoffDelay, TimeSpan? retryAfter, TimeSpan max) =>
        retryAfter is { } after && after > backoffDelay ? (after < max ? after : max) : backoffDelay;

    /// <summary>The Retry-After of an API server's error answer, in seconds as kube-apiserver sends it; null without one.</summary>
    internal static TimeSpan? RetryAfter(Exception e) => ApiError.TryFrom(e, out var error) ? error.RetryAfter : null;

    private async Task DelayAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, clock, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping: the loop condition ends it
        }
    }

    internal static string Describe(Exception e) => e switch
    {
        k8s.Autorest.HttpOperationException h => "HTTP " + ApiError.From(h).Summary,
        HttpRequestException { InnerException: { } inner } => $"{e.Message} ({inner.Message})",
        _ => e.Message,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "{Source}: listed {Count}, watching from resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, string source, int count, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Source}: watch closed by the server, resuming from resourceVersion {ResourceVersion}")]
    private static partial void LogResumed(ILogger logger, string source, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Source}: relisting: {Reason}")]
    private static partial void LogRelist(ILogger logger, string source, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Source}: {Error}; relisting in {DelaySeconds:0.0}s")]
    private static partial void LogFailed(ILogger logger, string source, string error, double delaySeconds);
}
