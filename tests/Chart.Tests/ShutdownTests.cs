using Admission.Operator.Hosting;

namespace Admission.Chart.Tests;

/// <summary>
/// A pod's stop: the server's drain delay and in-flight grace fit inside the kubelet's
/// terminationGracePeriodSeconds, so SIGKILL never cuts off a review, and no preStop hook adds a
/// wait the server does not know about.
/// </summary>
public class ShutdownTests
{
    [Theory, EveryScenario]
    public void The_drain_delay_and_in_flight_grace_fit_in_the_termination_grace_period(Scenario scenario)
    {
        var spec = RenderedChart.For(scenario).Single<V1Deployment>().Spec.Template.Spec;
        Assert.Equal(TimeSpan.FromSeconds(5), DrainDelay(spec));
        AssertConsistent(spec);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(12)]
    [InlineData(300)]
    public void A_drain_delay_set_in_values_moves_the_grace_period_with_it(int seconds)
    {
        using var values = new TempValues($"drainDelaySeconds: {seconds}\n");
        var result = HelmRunner.Template(values.Path);
        Assert.True(result.ExitCode == 0, result.Describe());
        var spec = RenderedChart.ReadAll(result.StdOut).Select(o => o.Model).OfType<V1Deployment>().Single().Spec.Template.Spec;
        Assert.Equal(TimeSpan.FromSeconds(seconds), DrainDelay(spec));
        AssertConsistent(spec);
    }

    [Theory]
    [InlineData("drainDelaySeconds: -1\n")]
    [InlineData("drainDelaySeconds: 5s\n")]
    public void A_drain_delay_that_is_not_a_whole_number_of_seconds_is_refused(string yaml)
    {
        using var values = new TempValues(yaml);
        var result = HelmRunner.Template(values.Path);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("drainDelaySeconds", result.StdErr, StringComparison.Ordinal);
    }

    private static void AssertConsistent(V1PodSpec spec)
    {
        var container = Assert.Single(spec.Containers);
        Assert.Null(container.Lifecycle?.PreStop);
        var grace = TimeSpan.FromSeconds(spec.TerminationGracePeriodSeconds!.Value);
        var serverStop = DrainDelay(spec) + ServeOptions.InFlightGrace;
        Assert.True(grace >= serverStop + TimeSpan.FromSeconds(5),
            $"terminationGracePeriodSeconds {grace.TotalSeconds} leaves under 5 s beyond the server's own stop of {serverStop.TotalSeconds} s");
    }

    private static TimeSpan DrainDelay(V1PodSpec spec)
    {
        var args = Assert.Single(spec.Containers).Args.ToList();
        var at = args.IndexOf("--drain-delay");
        Assert.True(at >= 0, "serve is not given --drain-delay");
        Assert.True(Admission.Policies.GoDuration.TryParse(args[at + 1], out var delay), $"--drain-delay {args[at + 1]} is not a duration");
        return delay;
    }

    private sealed class TempValues : IDisposable
    {
        public TempValues(string yaml)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"admission-values-{Guid.NewGuid():N}.yaml");
            File.WriteAllText(Path, yaml);
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }
}
