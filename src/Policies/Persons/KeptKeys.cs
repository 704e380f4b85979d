using System.Collections.Concurrent;

namespace Admission.Policies;

/// <summary>
/// Person keys by the exact username (<see cref="PersonNames"/>), at most <paramref name="max"/>:
/// past that (a flood of names that never recur) keys are computed and not kept.
/// </summary>
internal sealed class KeptKeys(int max)
{
    private readonly ConcurrentDictionary<string, string> _keys = new(StringComparer.Ordinal);
    private int _count;

    public int Count => _keys.Count;

    public bool Contains(string username) => _keys.ContainsKey(username);

    public bool TryGet(string username, out string key) => _keys.TryGetValue(username, out key!);

    /// <summary>Keeps the key if there is room. A slot is taken before the key is added, so threads racing at the limit never pass it.</summary>
    public void Keep(string username, string key)
    {
        if (Volatile.Read(ref _count) >= max) return;
        if (Interlocked.Increment(ref _count) > max || !_keys.TryAdd(username, key)) Interlocked.Decrement(ref _count);
    }
}
