namespace Admission.Operator.Cluster;

/// <summary>
/// Exponential backoff with jitter, capped: each failure doubles the delay up to the cap, and the
/// delay actually waited is drawn from its upper half so that replicas do not retry in step.
/// </summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan max, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;
    private int _failures;

    public int Failures => _failures;

    /// <summary>The longest delay this backoff waits.</summary>
    public TimeSpan Max => max;

    public TimeSpan Next()
    {
        var exponent = Math.Min(_failures, 30);
        _failures++;
        var ceiling = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (_random.NextDouble() * 0.5)));
    }

    public void Reset() => _failures = 0;
}
