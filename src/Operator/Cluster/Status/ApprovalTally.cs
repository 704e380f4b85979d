namespace Admission.Operator.Cluster;

/// <summary>
/// The census (<see cref="ApprovalCensus"/>) kept current one change at a time: a watch event
/// costs the approval it changes, not a count of all of them. Not thread-safe; the cache changes it
/// under its gate.
/// </summary>
internal sealed class ApprovalTally
{
    private readonly Dictionary<string, int> _phases = new(StringComparer.Ordinal);
    /// <summary>Unreviewed break-glass debts by key, with when each was created (null when unknown).</summary>
    private readonly Dictionary<string, DateTimeOffset?> _unreviewed = new(StringComparer.Ordinal);

    public void Clear()
    {
        _phases.Clear();
        _unreviewed.Clear();
    }

    /// <summary><paramref name="before"/>, the version counted so far (null for none), is replaced by <paramref name="after"/> (null when it is gone).</summary>
    public void Change(CachedApproval? before, CachedApproval? after)
    {
        if (before is not null)
        {
            var (phase, _, _) = ApprovalCensus.Entry(before);
            if (_phases.TryGetValue(phase, out var n))
            {
                if (n <= 1) _phases.Remove(phase);
                else _phases[phase] = n - 1;
            }
            _unreviewed.Remove(before.Key);
        }
        if (after is not null)
        {
            var (phase, unreviewed, created) = ApprovalCensus.Entry(after);
            _phases[phase] = _phases.GetValueOrDefault(phase) + 1;
            if (unreviewed) _unreviewed[after.Key] = created;
        }
    }

    /// <summary>The counts now. The debts are few (each is a break glass nobody has reviewed yet), so the oldest is found by looking at each.</summary>
    public ApprovalCensus.Counts Counts
    {
        get
        {
            DateTimeOffset? oldest = null;
            foreach (var created in _unreviewed.Values)
            {
                if (created is { } c && (oldest is null || c < oldest)) oldest = c;
            }
            return new ApprovalCensus.Counts(new Dictionary<string, int>(_phases, StringComparer.Ordinal), _unreviewed.Count, oldest);
        }
    }
}
