using Microsoft.AspNetCore.Http.Features;

namespace Admission.TestApiServer.Watch;

/// <summary>
/// One ?watch=true request: HTTP 200, then newline-delimited {"type","object"} events, flushed one by
/// one, until timeoutSeconds, the client leaving, CloseWatches, or a 410 ERROR event.
/// While StallWatches is on, nothing at all is written, bookmarks included, and the connection stays open.
/// </summary>
internal sealed class WatchStream(ServerState state)
{
    private static readonly TimeSpan StallPoll = TimeSpan.FromMilliseconds(50);

    public async Task RunAsync(ApiRequest request, ApiPath path, CancellationToken serverStopping)
    {
        var (labels, fields) = ReadEndpoints.Selectors(request);
        var from = StartingResourceVersion(request.Query("resourceVersion"));
        var bookmarks = request.Query("allowWatchBookmarks") == "true";
        var timeout = request.Query("timeoutSeconds") is { } seconds && int.TryParse(seconds, CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : state.Options.DefaultWatchTimeout;
        bool Matches(JsonObject o) => labels.Matches(o) && fields.Matches(o);

        var http = request.Http;
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        WatchSubscription subscription;
        try
        {
            subscription = state.Store.Subscribe(path.Resource, path.Namespace, from);
        }
        catch (ResourceExpiredException e)
        {
            await WriteAsync(http, WatchEvents.Line("ERROR", StatusBodies.Gone(e.Message)), http.RequestAborted);
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, serverStopping);
        stop.CancelAfter(timeout);
        using var abortOnShutdown = serverStopping.Register(http.Abort);
        try
        {
            await http.Response.StartAsync(stop.Token);
            await http.Response.Body.FlushAsync(stop.Token);
            await PumpAsync(http, path, subscription, Matches, bookmarks, DateTime.UtcNow + timeout, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
        finally
        {
            state.Store.Unsubscribe(subscription);
        }
    }

    private async Task PumpAsync(HttpContext http, ApiPath path, WatchSubscription subscription,
        Func<JsonObject, bool> matches, bool bookmarks, DateTime deadline, CancellationToken token)
    {
        long lastSent = 0;
        var asTable = Tables.Wanted(http.Request.Headers.Accept);
        var includeObject = http.Request.Query["includeObject"].FirstOrDefault();
        var columnsSent = false;
        async Task SendAsync(StoredEvent e)
        {
            if (WatchEvents.TypeFor(e, matches) is { } type)
            {
                JsonNode shown = e.Object;
                if (asTable)
                {
                    // Like kube-apiserver, only the first Table of a watch carries the column definitions.
                    var table = Tables.Build(path.Resource, [e.Object], e.ResourceVersion, includeObject);
                    if (columnsSent)
                    {
                        table["columnDefinitions"] = new JsonArray();
                    }

                    columnsSent = true;
                    shown = table;
                }

                await WriteAsync(http, WatchEvents.Line(type, shown), token);
            }

            lastSent = Math.Max(lastSent, e.ResourceVersion);
        }

        var pending = new Queue<StoredEvent>(subscription.Backlog);
        var reader = subscription.Feed.Reader;
        DateTime? nextBookmark = bookmarks ? NextBookmark(DateTime.UtcNow, deadline) : null;
        Task<bool>? waiting = null;
        while (!token.IsCancellationRequested)
        {
            if (state.StallWatches)
            {
                await Task.Delay(StallPoll, token);
                continue;
            }

            while (pending.TryDequeue(out var queued))
            {
                await SendAsync(queued);
            }

            // Read the revision before draining: every write up to it is already in the feed.
            var bookmarkRv = state.Store.CurrentResourceVersion;
            while (reader.TryRead(out var e))
            {
                await SendAsync(e);
            }

            if (reader.Completion.IsCompleted)
            {
                if (reader.Completion.Exception?.InnerException is ResourceExpiredException expired)
                {
                    await WriteAsync(http, WatchEvents.Line("ERROR", StatusBodies.Gone(expired.Message)), token);
                }

                return;
            }

            if (nextBookmark is { } due && DateTime.UtcNow >= due)
            {
                await WriteAsync(http, WatchEvents.Bookmark(path.Resource, Math.Max(bookmarkRv, lastSent)), token);
                nextBookmark = NextBookmark(DateTime.UtcNow, deadline);
            }

            waiting ??= reader.WaitToReadAsync(token).AsTask();
            var untilBookmark = nextBookmark is { } next ? next - DateTime.UtcNow : TimeSpan.FromSeconds(1);
            var delay = TimeSpan.FromTicks(Math.Clamp(untilBookmark.Ticks, TimeSpan.FromMilliseconds(1).Ticks, StallPoll.Ticks * 4));
            await Task.WhenAny(waiting, Task.Delay(delay, token));
            if (waiting.IsCompleted)
            {
                _ = waiting.Exception;
                waiting = null;
            }
        }
    }

    /// <summary>
    /// The cacher's cacheWatcher.nextBookmarkTime: every BookmarkInterval, but no later than 2 s
    /// before the watch's deadline, and none once that moment has passed.
    /// </summary>
    private DateTime? NextBookmark(DateTime now, DateTime deadline)
    {
        var heartbeat = now + state.Options.BookmarkInterval;
        var beforeTimeout = deadline - TimeSpan.FromSeconds(2);
        if (beforeTimeout < heartbeat)
        {
            heartbeat = beforeTimeout;
        }

        return heartbeat < now ? null : heartbeat;
    }

    private static long? StartingResourceVersion(string? text)
    {
        if (text is null or "" or "0")
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var rv)
            ? rv
            : throw StatusBodies.BadRequest($"invalid resource version: {text}");
    }

    private static async Task WriteAsync(HttpContext http, JsonObject line, CancellationToken token)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonValues.Serialize(line) + "\n");
        await http.Response.Body.WriteAsync(bytes, token);
        await http.Response.Body.FlushAsync(token);
    }
}
