using System.Threading.Channels;

namespace Admission.Operator.Observability;

/// <summary>
/// The decision audit log, kept off the request thread: a request encodes its line (one pooled
/// UTF-8 array, see <see cref="DecisionLineEncoder"/>) and offers it to a bounded queue; one
/// writer drains the queue in batches, a write per batch. When the output cannot keep up and the
/// queue is full, the line is dropped and counted (<c>admission_decision_log_dropped_total</c>)
/// rather than making admissions wait for the log: with <c>failurePolicy: Fail</c>, a slow
/// webhook stops the cluster, a lost log line does not.
/// </summary>
public sealed class DecisionLog : IAsyncDisposable
{
    public const int DefaultCapacity = 8192;
    private const int BatchBytes = 64 * 1024;

    private readonly Channel<(byte[] Buffer, int Length)> _queue;
    private readonly Stream _output;
    private readonly object? _outputLock;
    private readonly TimeProvider _clock;
    private readonly bool _json;
    private readonly Task _writer;
    private long _dropped;
    private long _written;

    /// <param name="output">Where lines go (standard output in the server).</param>
    /// <param name="outputLock">
    /// Held while a batch is written, so lines from other writers to the same output never land
    /// inside a batch. For standard output this is <see cref="Console.Out"/>: it is a synchronized
    /// writer that holds its own lock for each write the console logger makes.
    /// </param>
    public DecisionLog(Stream output, object? outputLock, bool json, TimeProvider clock, int capacity = DefaultCapacity)
    {
        _output = output;
        _outputLock = outputLock;
        _json = json;
        _clock = clock;
        _queue = Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(capacity)
        {
            // Wait makes TryWrite say false when full (DropWrite would drop silently); nothing ever waits.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Standard output, in the format of <c>--log-format</c>.</summary>
    public static DecisionLog ForStandardOutput(string logFormat, TimeProvider clock) =>
        new(Console.OpenStandardOutput(), Console.Out, logFormat == "json", clock);

    /// <summary>Lines dropped because the queue was full (or the output failed) since start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Lines written to the output since start.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Queues the line; never waits. False when it was dropped.</summary>
    public bool Write(in DecisionRecord record)
    {
        var line = DecisionLineEncoder.ForThisThread().Encode(record, _clock.GetUtcNow(), _json);
        if (_queue.Writer.TryWrite(line)) return true;
        LinePool.Instance.Return(line.Buffer);
        CountDropped(1);
        return false;
    }

    private void CountDropped(long count)
    {
        Interlocked.Add(ref _dropped, count);
        AdmissionMetrics.DecisionLogDropped.Inc(count);
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new byte[BatchBytes];
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var used = 0;
            var lines = 0;
            while (used < BatchBytes && reader.TryRead(out var line))
            {
                if (used + line.Length > batch.Length)
                {
                    Array.Resize(ref batch, Math.Max(batch.Length * 2, used + line.Length));
                }
                line.Buffer.AsSpan(0, line.Length).CopyTo(batch.AsSpan(used));
                used += line.Length;
                lines++;
                LinePool.Instance.Return(line.Buffer);
            }
            try
            {
                if (_outputLock is null)
                {
                    _output.Write(batch, 0, used);
                    _output.Flush();
                }
                else
                {
                    lock (_outputLock)
                    {
                        _output.Write(batch, 0, used);
                        _output.Flush();
                    }
                }
                Interlocked.Add(ref _written, lines);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
            {
                // The output is gone (a closed pipe): the lines are lost, and counted as such.
                CountDropped(lines);
            }
            if (batch.Length > BatchBytes * 4) batch = new byte[BatchBytes];
        }
    }

    /// <summary>Takes no more lines and waits until the queued ones are written.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }
}
