using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace Admission.Policies;

/// <summary>
/// An immutable map that changes one key at a time without being copied whole: a frozen base (the
/// fastest lookups .NET has, for the decisions' hot path) under a persistent layer of the keys
/// changed since it was built. When the layer outgrows a fraction of the base, both are folded into
/// a new base. So a change costs microseconds, amortized, however much the map holds, where
/// rebuilding it for each change cost time in proportion to all of it; a lookup costs one probe of
/// the base, and one of the layer while there is one.
/// </summary>
/// <remarks>
/// Cluster mode's cache changes its snapshot on every watch event: a status the operator writes,
/// an approval added. With 10,000 ChangeApprovals, rebuilding the whole index for each took about
/// 30 ms and 6 MB (<c>CacheEventBenchmarks</c>), so a burst of status writes held a core for seconds.
/// </remarks>
internal sealed class SnapshotMap<TKey, TValue> where TKey : notnull where TValue : class
{
    /// <summary>The layer is folded in once it holds more than this many keys and more than the base's size over <see cref="FoldFraction"/>.</summary>
    internal const int FoldAtLeast = 64;
    internal const int FoldFraction = 8;

    private readonly FrozenDictionary<TKey, TValue> _base;
    /// <summary>Overrides the base: a null value is a key removed since.</summary>
    private readonly ImmutableDictionary<TKey, TValue?> _layer;

    public SnapshotMap(IEnumerable<KeyValuePair<TKey, TValue>> items, IEqualityComparer<TKey>? comparer = null)
    {
        _base = items.ToFrozenDictionary(comparer);
        _layer = ImmutableDictionary.Create<TKey, TValue?>(_base.Comparer);
        Count = _base.Count;
    }

    private SnapshotMap(FrozenDictionary<TKey, TValue> @base, ImmutableDictionary<TKey, TValue?> layer, int count)
    {
        _base = @base;
        _layer = layer;
        Count = count;
    }

    /// <summary>Keys present.</summary>
    public int Count { get; }

    /// <summary>Keys changed since the base was built (for tests of the folding).</summary>
    internal int Layered => _layer.Count;

    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        if (!_layer.IsEmpty && _layer.TryGetValue(key, out var changed))
        {
            value = changed;
            return changed is not null;
        }
        return _base.TryGetValue(key, out value);
    }

    /// <summary>This map with <paramref name="key"/> set to <paramref name="value"/>, or removed when it is null.</summary>
    public SnapshotMap<TKey, TValue> SetItem(TKey key, TValue? value)
    {
        var had = TryGetValue(key, out var current);
        if (value is null && !had) return this;
        if (value is not null && had && ReferenceEquals(value, current)) return this;
        // A key the base does not hold is simply dropped from the layer when removed.
        var layer = value is null && !_base.ContainsKey(key) ? _layer.Remove(key) : _layer.SetItem(key, value);
        var count = Count + (value is null ? -1 : had ? 0 : 1);
        if (layer.Count > FoldAtLeast && layer.Count > _base.Count / FoldFraction)
        {
            return new SnapshotMap<TKey, TValue>(Items(_base, layer).ToFrozenDictionary(_base.Comparer), _layer.Clear(), count);
        }
        return new SnapshotMap<TKey, TValue>(_base, layer, count);
    }

    /// <summary>Every key present and its value, in no particular order.</summary>
    public IEnumerable<KeyValuePair<TKey, TValue>> Items() => Items(_base, _layer);

    private static IEnumerable<KeyValuePair<TKey, TValue>> Items(FrozenDictionary<TKey, TValue> @base, ImmutableDictionary<TKey, TValue?> layer)
    {
        foreach (var item in @base)
        {
            if (!layer.ContainsKey(item.Key)) yield return item;
        }
        foreach (var item in layer)
        {
            if (item.Value is { } value) yield return new KeyValuePair<TKey, TValue>(item.Key, value);
        }
    }
}
