using Admission.Operator.Cluster;
using Admission.Policies;

namespace Admission.Cluster.Tests;

public class TimingsAndBackoffTests
{
    [Fact]
    public void Defaults_are_the_production_values()
    {
        var t = ClusterTimings.FromEnvironment(_ => null);
        Assert.Equal(TimeSpan.FromSeconds(60), t.WatchIdleTimeout);
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

    [Fact]
    public void A_quiet_watch_is_relisted_well_within_the_staleness_bound()
    {
        var t = new ClusterTimings();
        Assert.Equal(TimeSpan.FromSeconds(30), t.EffectiveIdleTimeout(TimeSpan.FromSeconds(60)));
        Assert.Equal(TimeSpan.FromSeconds(60), t.EffectiveIdleTimeout(TimeSpan.FromMinutes(5)));
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
