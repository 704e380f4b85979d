using Admission.Policies;

namespace Admission.Operator.Cluster;

/// <summary>
/// The time bounds of cluster mode. Production uses the defaults; tests shorten them through the
/// <c>ADMISSION_*</c> environment variables read by <see cref="FromEnvironment"/> (Go durations,
/// such as <c>2s</c>). They are not command-line options because nobody should need to tune them.
/// </summary>
internal sealed record ClusterTimings
{
    /// <summary>A watch with no event and no bookmark for this long is presumed stalled and restarted.</summary>
    public TimeSpan WatchIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

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
    /// A quiet but healthy watch must never make the webhook unready: with no bookmarks, the idle
    /// timeout relists (which is contact) well before the staleness bound is reached.
    /// </summary>
    public TimeSpan EffectiveIdleTimeout(TimeSpan maxStaleness) =>
        WatchIdleTimeout < maxStaleness / 2 ? WatchIdleTimeout : maxStaleness / 2;

    public static ClusterTimings FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        var t = new ClusterTimings();
        return t with
        {
            WatchIdleTimeout = Read(read, "ADMISSION_WATCH_IDLE_TIMEOUT", t.WatchIdleTimeout),
            BackoffInitial = Read(read, "ADMISSION_BACKOFF_INITIAL", t.BackoffInitial),
            BackoffMax = Read(read, "ADMISSION_BACKOFF_MAX", t.BackoffMax),
            LiveReadTimeout = Read(read, "ADMISSION_LIVE_READ_TIMEOUT", t.LiveReadTimeout),
            AppliedCheckInterval = Read(read, "ADMISSION_APPLIED_CHECK_INTERVAL", t.AppliedCheckInterval),
            LeaseDuration = Read(read, "ADMISSION_LEASE_DURATION", t.LeaseDuration),
            RenewDeadline = Read(read, "ADMISSION_RENEW_DEADLINE", t.RenewDeadline),
            RetryPeriod = Read(read, "ADMISSION_RETRY_PERIOD", t.RetryPeriod),
            CertificateCheckInterval = Read(read, "ADMISSION_CERT_CHECK_INTERVAL", t.CertificateCheckInterval),
            ServingValidity = Read(read, "ADMISSION_SERVING_CERT_VALIDITY", t.ServingValidity),
            CaValidity = Read(read, "ADMISSION_CA_VALIDITY", t.CaValidity),
        };
    }

    private static TimeSpan Read(Func<string, string?> read, string name, TimeSpan fallback)
    {
        var text = read(name);
        if (string.IsNullOrEmpty(text)) return fallback;
        if (GoDuration.TryParse(text, out var value) && value > TimeSpan.Zero) return value;
        throw new InputException([new InputError(name, null, "", $"\"{text}\" is not a positive duration such as 2s")]);
    }
}
