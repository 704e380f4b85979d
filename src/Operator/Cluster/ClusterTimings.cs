using Admission.Policies;

namespace Admission.Operator.Cluster;

/// <summary>
/// The time bounds of cluster mode. Production uses the defaults; tests shorten them through the
/// <c>ADMISSION_*</c> environment variables read once, by <see cref="Cli.ServeOptionsBinder"/> (Go durations,
/// such as <c>2s</c>). They are not command-line options because nobody should need to tune them.
/// </summary>
internal sealed record ClusterTimings
{
    /// <summary>
    /// The longest a healthy but quiet watch goes without a word from kube-apiserver. Its cacher
    /// sends a bookmark a minute after the last one (defaultBookmarkFrequency), from a dispatch
    /// timer that ticks every 1 to 1.25 s, and one 2 s before the watch's deadline; the resumed
    /// watch then waits its own minute. So about 60 + 2 + 2.25 s, rounded up for a busy server.
    /// </summary>
    public static readonly TimeSpan LongestHealthySilence = TimeSpan.FromSeconds(65);

    /// <summary>
    /// A watch with no event and no bookmark for this long is presumed stalled and relisted. Half
    /// again the bookmark cadence: a watch at kube-apiserver's cadence never reaches it (see
    /// <see cref="LongestHealthySilence"/>), a stalled one is caught within a minute and a half.
    /// </summary>
    public TimeSpan WatchIdleTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>The first delay after a failed list or watch; doubled on each failure up to <see cref="BackoffMax"/>.</summary>
    public TimeSpan BackoffInitial { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a live read before a denial may take.</summary>
    public TimeSpan LiveReadTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the leader reads the target of an Approved exact-change approval to see whether the change is live.</summary>
    public TimeSpan AppliedCheckInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the leader checks that the serving certificate is not due for renewal ('self' certificates).</summary>
    public TimeSpan CertificateCheckInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Validity of a serving certificate issued in 'self' mode.</summary>
    public TimeSpan ServingValidity { get; init; } = TimeSpan.FromDays(90);

    /// <summary>Validity of a CA created in 'self' mode.</summary>
    public TimeSpan CaValidity { get; init; } = TimeSpan.FromDays(365 * 5);

    /// <summary>
    /// A stalled watch must be relisted before the staleness bound makes the webhook unready: a
    /// quarter of the bound is left for the relist (and a few backed-off retries) to succeed, which
    /// is contact. With the chart's 120 s that is the full <see cref="WatchIdleTimeout"/>; a bound
    /// under <see cref="QuietStalenessFloor"/> relists watches at bookmark cadence, which works but
    /// costs a list per watch per replica each time.
    /// </summary>
    public TimeSpan EffectiveIdleTimeout(TimeSpan maxStaleness)
    {
        var bounded = maxStaleness * 3 / 4;
        return WatchIdleTimeout < bounded ? WatchIdleTimeout : bounded;
    }

    /// <summary>The smallest staleness bound whose stall timeout still lets bookmarks at kube-apiserver's cadence keep a watch.</summary>
    public static readonly TimeSpan QuietStalenessFloor = LongestHealthySilence * 4 / 3;

    /// <summary>The defaults with the <c>ADMISSION_*</c> variables <paramref name="read"/> returns; a variable that is not a positive duration is an error.</summary>
    public static ClusterTimings FromEnvironment(Func<string, string?> read)
    {
        var errors = new List<InputError>();
        var timings = FromEnvironment(read, errors);
        return errors.Count > 0 ? throw new InputException(errors) : timings;
    }

    /// <summary>As <see cref="FromEnvironment(Func{string, string?})"/>, each bad variable added to <paramref name="errors"/> (its default kept).</summary>
    public static ClusterTimings FromEnvironment(Func<string, string?> read, ICollection<InputError> errors)
    {
        var t = new ClusterTimings();
        return t with
        {
            WatchIdleTimeout = ReadDuration(read, "ADMISSION_WATCH_IDLE_TIMEOUT", t.WatchIdleTimeout, errors),
            BackoffInitial = ReadDuration(read, "ADMISSION_BACKOFF_INITIAL", t.BackoffInitial, errors),
            BackoffMax = ReadDuration(read, "ADMISSION_BACKOFF_MAX", t.BackoffMax, errors),
            LiveReadTimeout = ReadDuration(read, "ADMISSION_LIVE_READ_TIMEOUT", t.LiveReadTimeout, errors),
            AppliedCheckInterval = ReadDuration(read, "ADMISSION_APPLIED_CHECK_INTERVAL", t.AppliedCheckInterval, errors),
            LeaseDuration = ReadDuration(read, "ADMISSION_LEASE_DURATION", t.LeaseDuration, errors),
            RenewDeadline = ReadDuration(read, "ADMISSION_RENEW_DEADLINE", t.RenewDeadline, errors),
            RetryPeriod = ReadDuration(read, "ADMISSION_RETRY_PERIOD", t.RetryPeriod, errors),
            CertificateCheckInterval = ReadDuration(read, "ADMISSION_CERT_CHECK_INTERVAL", t.CertificateCheckInterval, errors),
            ServingValidity = ReadDuration(read, "ADMISSION_SERVING_CERT_VALIDITY", t.ServingValidity, errors),
            CaValidity = ReadDuration(read, "ADMISSION_CA_VALIDITY", t.CaValidity, errors),
        };
    }

    /// <summary>One test-tuning variable: unset or empty keeps <paramref name="fallback"/>; anything but a positive Go duration is an error naming it.</summary>
    internal static TimeSpan ReadDuration(Func<string, string?> read, string name, TimeSpan fallback, ICollection<InputError> errors)
    {
        var text = read(name);
        if (string.IsNullOrEmpty(text)) return fallback;
        if (GoDuration.TryParse(text, out var value) && value > TimeSpan.Zero) return value;
        errors.Add(new InputError(name, null, "", $"\"{text}\" is not a positive duration such as 2s"));
        return fallback;
    }
}
