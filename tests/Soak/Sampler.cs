namespace Admission.Soak;

public sealed record Sample(double Seconds, double RssMiB, double GcHeapMiB, int Handles, int Threads, long Reviews, long FailedReviews, long Approvals);

/// <summary>
/// Every few seconds: resident memory and threads from /proc/PID/status, open handles from
/// /proc/PID/fd, and the managed heap from the process's own /metrics (dotnet_total_memory_bytes).
/// </summary>
public sealed class Sampler(SoakWorld world, TimeSpan interval)
{
    public List<Sample> Samples { get; } = [];

    public async Task RunAsync(ReviewLoad load, ApprovalChurn churn, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested && !world.Exited)
        {
            try
            {
                var sample = await TakeAsync(clock.Elapsed.TotalSeconds, load, churn);
                Samples.Add(sample);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"t={sample.Seconds,5:F0}s rss={sample.RssMiB,6:F1}MiB gc={sample.GcHeapMiB,6:F1}MiB handles={sample.Handles} threads={sample.Threads} reviews={sample.Reviews} failed={sample.FailedReviews}"));
            }
            catch (HttpRequestException e)
            {
                Console.Error.WriteLine("soak: sample failed: " + e.Message);
            }
            try
            {
                await Task.Delay(interval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The process's resident memory now (VmRSS).</summary>
    public static double ResidentMiB(int pid) => Field(File.ReadAllLines($"/proc/{pid}/status"), "VmRSS") / 1024;

    private static double Field(string[] status, string name) =>
        double.Parse(status.First(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private async Task<Sample> TakeAsync(double seconds, ReviewLoad load, ApprovalChurn churn)
    {
        var status = await File.ReadAllLinesAsync($"/proc/{world.Pid}/status");
        var handles = Directory.GetFiles($"/proc/{world.Pid}/fd").Length;
        var metrics = await world.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var heap = metrics.Split('\n').First(l => l.StartsWith("dotnet_total_memory_bytes ", StringComparison.Ordinal)).Split(' ')[1];
        return new Sample(seconds, Field(status, "VmRSS") / 1024, double.Parse(heap, CultureInfo.InvariantCulture) / (1024 * 1024), handles, (int)Field(status, "Threads"),
            load.Answered, load.Failed, churn.Created);
    }
}
