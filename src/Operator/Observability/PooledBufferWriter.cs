using System.Buffers;

namespace Admission.Operator.Observability;

/// <summary>
/// A growable byte buffer over arrays from the shared pool. <see cref="Detach"/> hands the filled
/// array to someone else (who returns it to the pool) and starts over with a fresh one, so the
/// bytes cross threads without a copy.
/// </summary>
internal sealed class PooledBufferWriter(int initialSize, ArrayPool<byte>? pool = null) : IBufferWriter<byte>
{
    private readonly ArrayPool<byte> _pool = pool ?? ArrayPool<byte>.Shared;
    private byte[] _buffer = (pool ?? ArrayPool<byte>.Shared).Rent(initialSize);
    private int _written;

    public int WrittenCount => _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public Span<byte> WrittenSpanMutable => _buffer.AsSpan(0, _written);

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Clear() => _written = 0;

    /// <summary>The filled array and its length; the caller owns the array and returns it to the pool.</summary>
    public (byte[] Buffer, int Length) Detach()
    {
        var result = (_buffer, _written);
        _buffer = _pool.Rent(initialSize);
        _written = 0;
        return result;
    }

    private void Ensure(int sizeHint)
    {
        var need = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= need) return;
        var bigger = _pool.Rent(Math.Max(_buffer.Length * 2, _written + need));
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        _pool.Return(_buffer);
        _buffer = bigger;
    }
}
