using System.Buffers;
using System.Collections.Concurrent;

namespace Admission.Operator.Observability;

/// <summary>
/// Arrays for decision lines, which are rented on request threads and returned on the log's
/// writer thread. The shared pool keeps arrays per thread and per core, so across threads like
/// this it mostly misses and allocates; one queue of 1 KB arrays serves every thread. Longer
/// lines (rare) use the shared pool.
/// </summary>
internal sealed class LinePool : ArrayPool<byte>
{
    public const int Size = 1024;
    private const int Kept = 4096;

    public static readonly LinePool Instance = new();

    private readonly ConcurrentQueue<byte[]> _free = new();
    private int _count; // the queue's own Count takes a snapshot of its segments; this is one read

    public override byte[] Rent(int minimumLength)
    {
        if (minimumLength > Size) return Shared.Rent(minimumLength);
        if (!_free.TryDequeue(out var array)) return new byte[Size];
        Interlocked.Decrement(ref _count);
        return array;
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        if (array.Length != Size)
        {
            Shared.Return(array);
            return;
        }
        // A burst may leave more than are needed afterwards: keep a bounded number, let the rest go.
        if (Volatile.Read(ref _count) >= Kept) return;
        Interlocked.Increment(ref _count);
        _free.Enqueue(array);
    }
}
