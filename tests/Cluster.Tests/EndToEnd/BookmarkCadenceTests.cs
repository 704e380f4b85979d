namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>
/// The cache against bookmarks at kube-apiserver's cadence (a minute; see the stand-in's
/// BookmarkCadenceTests) with the chart's default --max-cache-staleness (120s): a quiet cluster must
/// cause no relist. The real-time run takes 150 s and is tagged Category=Slow (`./test.sh` leaves it
/// out unless ADMISSION_SLOW_TESTS=1); the scaled run keeps the chart's ratio (staleness = twice the
/// bookmark interval) at a tenth of the time. Hours of the cadence on an injected clock are in
/// Cluster/QuietWatchTests.
/// </summary>
public sealed class BookmarkCadenceTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public Task A_quiet_150s_against_60s_bookmarks_causes_no_relist() =>
        QuietRunAsync(TimeSpan.FromSeconds(60), "120s", TimeSpan.FromSeconds(150));

    [Fact]
    public Task Scaled_a_quiet_15s_against_6s_bookmarks_and_12s_staleness_causes_no_relist() =>
        QuietRunAsync(TimeSpan.FromSeconds(6), "12s", TimeSpan.FromSeconds(15));

    private static async Task QuietRunAsync(TimeSpan bookmarks, string staleness, TimeSpan quiet)
    {
        await using var cluster = await ClusterHarness.StartAsync(bookmarks);
        var admission = await cluster.StartAdmissionAsync(extraArgs: ["--max-cache-staleness", staleness]);
        int Lists() => cluster.Api.Requests.Count(r => r.Method == "GET" && !r.IsWatch
            && (r.Path.EndsWith("/changeapprovals", StringComparison.Ordinal) || r.Path.EndsWith("/namespaces", StringComparison.Ordinal)));
        var before = Lists();

        // The claim is about a span of time, so the span is waited out; any relist fails it at once.
        var deadline = DateTime.UtcNow + quiet;
        while (DateTime.UtcNow < deadline)
        {
            Assert.True(Lists() == before && !admission.Log.Contains("relisting", StringComparison.Ordinal),
                $"relisted after {(quiet - (deadline - DateTime.UtcNow)).TotalSeconds:0}s of quiet:\n{admission.Log}");
            await Task.Delay(250);
        }

        Assert.True((await cluster.CreateApprovalAsync("carol", "after-the-quiet")).Ok, cluster.Logs);
    }
}
