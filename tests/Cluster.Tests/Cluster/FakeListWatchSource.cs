using System.Runtime.CompilerServices;

namespace Admission.Cluster.Tests;

/// <summary>
/// A collection served by hand: each list takes the next queued answer (waiting for one), each
/// watch opens a channel the test writes events into.
/// </summary>
internal sealed class FakeListWatchSource(string name) : IListWatchSource
{
    private readonly ConcurrentQueue<Func<ListResult>> _lists = new();
    private volatile Channel<WatchEvent>? _current;

    public string Name => name;

    public int ListCount;

    public ConcurrentQueue<string> WatchedFrom { get; } = new();

    /// <summary>When set, the next watch is answered with HTTP 410.</summary>
    public volatile bool ExpireNextWatch;

    /// <summary>When set, watches fail to connect.</summary>
    public volatile bool Down;

    public void AnswerList(string rv, params JsonElement[] items) => _lists.Enqueue(() => new ListResult(items, rv));

    public void FailList(string message) => _lists.Enqueue(() => throw new HttpRequestException(message));

    public ChannelWriter<WatchEvent> Watch => _current?.Writer ?? throw new InvalidOperationException("no watch open");

    public bool Watching => _current is not null;

    /// <summary>Events sent to the open watch that its reader has not taken yet.</summary>
    public int Pending => _current?.Reader.Count ?? 0;

    public void Send(WatchEventKind kind, JsonElement obj) => Watch.TryWrite(new WatchEvent(kind, obj));

    public void CloseWatch()
    {
        var current = _current;
        _current = null;
        current?.Writer.TryComplete();
    }

    public async Task<ListResult> ListAsync(CancellationToken cancellationToken)
    {
        Func<ListResult>? next;
        while (!_lists.TryDequeue(out next))
        {
            await Task.Delay(5, cancellationToken);
        }
        Interlocked.Increment(ref ListCount);
        return next();
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        WatchedFrom.Enqueue(resourceVersion);
        await Task.Yield();
        if (Down) throw new HttpRequestException("connection refused");
        if (ExpireNextWatch)
        {
            ExpireNextWatch = false;
            throw new ResourceExpiredException("too old resource version");
        }
        var channel = Channel.CreateUnbounded<WatchEvent>();
        _current = channel;
        try
        {
            await foreach (var ev in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return ev;
            }
        }
        finally
        {
            if (_current == channel) _current = null;
        }
    }
}

internal sealed class FakeLiveReader : ILiveReader
{
    public Func<string, IReadOnlyList<JsonElement>> Approvals { get; set; } = _ => [];

    public Func<string, JsonElement?> Namespaces { get; set; } = _ => null;

    public TimeSpan Delay { get; set; }

    public int Reads;

    public int NamespaceReads;

    public async Task<IReadOnlyList<JsonElement>> ListApprovalsAsync(string ns, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Reads);
        if (Delay > TimeSpan.Zero) await Task.Delay(Delay, cancellationToken);
        return Approvals(ns);
    }

    public Task<JsonElement?> ReadNamespaceAsync(string name, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref NamespaceReads);
        return Task.FromResult(Namespaces(name));
    }
}
