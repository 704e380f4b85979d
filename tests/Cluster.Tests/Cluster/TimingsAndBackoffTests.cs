namespace Admission.Cluster.Tests;

public class TimingsAndBackoffTests
{
    [Fact]
    public void Defaults_are_the_production_values()
    {
        var t = ClusterTimings.FromEnvironment(_ => null);
        Assert.Equal(TimeSpan.FromSeconds(90), t.WatchIdleTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), t.LiveReadTimeout);
        Assert.Equal((TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2)), (t.LeaseDuration, t.RenewDeadline, t.RetryPeriod));
    }

    [Fact]
    public void Environment_overrides_and_rejects_nonsense()
    {
        var env = new Dictionary<string, string> { ["ADMISSION_LEASE_DURATION"] = "4s", ["ADMISSION_WATCH_IDLE_TIMEOUT"] = "1500ms" };
        var t = ClusterTimings.FromEnvironment(env.GetValueOrDefault);
        Assert.Equal(TimeSpan.FromSeconds(4), t.LeaseDuration);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), t.WatchIdleTimeout);
        var e = Assert.Throws<InputException>(() => ClusterTimings.FromEnvironment(n => n == "ADMISSION_RETRY_PERIOD" ? "soon" : null));
        Assert.Contains("ADMISSION_RETRY_PERIOD", e.Message, StringComparison.Ordinal);
    }

    // staleness, stall timeout: 3/4 of the bound, at most WatchIdleTimeout (90 s).
    [Theory]
    [InlineData("120s", "90s")]   // the chart's default: the full stall timeout
    [InlineData("10m", "90s")]
    [InlineData("100s", "75s")]
    [InlineData("60s", "45s")]    // the former default: relists a watch at bookmark cadence
    [InlineData("6s", "4.5s")]    // what the fault tests use
    public void A_stalled_watch_is_relisted_with_a_quarter_of_the_staleness_bound_left(string staleness, string idle)
    {
        Assert.True(GoDuration.TryParse(staleness, out var bound));
        Assert.True(GoDuration.TryParse(idle, out var expected));
        Assert.Equal(expected, new ClusterTimings().EffectiveIdleTimeout(bound));
    }

    [Fact]
    public void The_stall_timeout_outlasts_kube_apiservers_bookmark_gap_from_the_quiet_floor_up()
    {
        var t = new ClusterTimings();
        Assert.True(t.WatchIdleTimeout > ClusterTimings.LongestHealthySilence);
        Assert.True(t.EffectiveIdleTimeout(ClusterTimings.QuietStalenessFloor + TimeSpan.FromSeconds(1)) > ClusterTimings.LongestHealthySilence);
        Assert.True(t.EffectiveIdleTimeout(ClusterTimings.QuietStalenessFloor - TimeSpan.FromSeconds(1)) < ClusterTimings.LongestHealthySilence);
    }

    /// <summary>The chart passes its default to every replica: it must let a watch at bookmark cadence live.</summary>
    [Fact]
    public void The_charts_default_staleness_keeps_a_quiet_watch()
    {
        var values = File.ReadAllLines(Path.Combine(Admission.Tests.Shared.ChartWebhooks.RepoRoot(), "charts", "admission", "values.yaml"));
        var chart = values.Single(l => l.StartsWith("maxCacheStaleness:", StringComparison.Ordinal))["maxCacheStaleness:".Length..].Trim();
        Assert.True(GoDuration.TryParse(chart, out var bound));
        Assert.True(bound >= ClusterTimings.QuietStalenessFloor, $"maxCacheStaleness {chart} relists quiet watches");
        Assert.True(new ClusterTimings().EffectiveIdleTimeout(bound) > ClusterTimings.LongestHealthySilence);
    }

    [Fact]
    public void Backoff_doubles_with_jitter_up_to_the_cap_and_resets()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), new Random(7));
        var delays = Enumerable.Range(0, 8).Select(_ => backoff.Next().TotalMilliseconds).ToList();
        double[] ceilings = [100, 200, 400, 800, 1000, 1000, 1000, 1000];
        for (var i = 0; i < delays.Count; i++)
        {
            Assert.InRange(delays[i], ceilings[i] / 2, ceilings[i]);
        }
        Assert.True(delays.Distinct().Count() > 4, "jittered");
        backoff.Reset();
        Assert.InRange(backoff.Next().TotalMilliseconds, 50, 100);
    }
}
