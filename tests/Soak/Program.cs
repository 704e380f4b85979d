using Admission.Soak;

// Admission.Soak [--short] [--approvals N] [seconds] [report-dir]: see run.sh.
var shortRun = args.Length > 0 && args[0] == "--short";
if (shortRun) args = args[1..];
var held = 0;
if (args is ["--approvals", var count, ..])
{
    if (!int.TryParse(count, CultureInfo.InvariantCulture, out held) || held < 0)
    {
        Console.Error.WriteLine($"soak: --approvals wants a count of ChangeApprovals, not \"{count}\"");
        return 2;
    }
    args = args[2..];
}
var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : shortRun ? 60 : 600;
var reportDir = args.Length > 1 ? args[1] : Path.Combine(Directory.GetCurrentDirectory(), "soak-report");
Directory.CreateDirectory(reportDir);

await using var world = await SoakWorld.StartAsync(held);
Console.WriteLine($"soak: admission serve (pid {world.Pid}) in cluster mode against the test API server for {seconds} s");
if (held > 0) Console.WriteLine($"soak: {held} ChangeApprovals held besides the churn; ready after {world.Ready.TotalSeconds:F2} s at {Sampler.ResidentMiB(world.Pid):F1} MiB resident");
// A warm-up outside the measured run: JIT, connection pools and heap sizing settle first, so that
// even a 60 s CI run judges steady state.
var warmUp = TimeSpan.FromSeconds(20);
using var stop = new CancellationTokenSource(warmUp + TimeSpan.FromSeconds(seconds));
var load = new ReviewLoad(world, workers: 4, perWorkerPerSecond: 25);
var churn = new ApprovalChurn(world, perSecond: 10, keep: 50);
var sampler = new Sampler(world, TimeSpan.FromSeconds(Math.Clamp(seconds / 60.0, 1, 5)));
var running = Task.WhenAll(load.RunAsync(stop.Token), churn.RunAsync(stop.Token));
await Task.Delay(warmUp);
Console.WriteLine($"soak: warmed up ({load.Answered} reviews); measuring");
await Task.WhenAll(running, sampler.RunAsync(load, churn, stop.Token));

// The full run judges fitted slopes over its second half; a short one, too short for a slope to
// mean much, compares its last third with its first. Both are printed either way.
var slopes = SoakReport.Judge(sampler.Samples);
var thirds = SoakReport.JudgeThirds(sampler.Samples);
var report = shortRun ? thirds : slopes;
var csv = Path.Combine(reportDir, "soak.csv");
var png = Path.Combine(reportDir, "soak.png");
SoakReport.WriteCsv(sampler.Samples, csv);
SoakReport.WritePlot(sampler.Samples, png, seconds);
Console.WriteLine(slopes.Text);
Console.WriteLine(thirds.Text);
Console.WriteLine($"judged by {(shortRun ? "thirds (short run)" : "slopes")}: {(report.Flat ? "bounded" : "GROWS")}");
Console.WriteLine($"reviews: {load.Answered} answered ({load.Allowed} allowed, {load.Denied} denied), {load.Failed} failed (not 200 with the review's uid), {load.Wrong} wrong decisions; approvals created {churn.Created}, deleted {churn.Deleted}, failed {churn.Failed}");
foreach (var failure in load.FailureSamples) Console.WriteLine("  failed review: " + failure);
if (churn.FirstFailure is { } churnFailure) Console.WriteLine("  first failed approval write: " + churnFailure);
Console.WriteLine($"report: {csv}, {png}");
// The churn is half of what the soak exercises: a run where it could not write is no pass.
var ok = report.Flat && load.Failed == 0 && load.Wrong == 0 && load.Answered > 0 && churn.Failed == 0 && churn.Created > 0 && !world.Exited;
Console.WriteLine(ok ? "soak: PASS" : "soak: FAIL");
return ok ? 0 : 1;
