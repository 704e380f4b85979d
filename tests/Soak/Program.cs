using System.Globalization;
using Admission.Soak;

// Admission.Soak [seconds] [report-dir]: see run.sh.
var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 600;
var reportDir = args.Length > 1 ? args[1] : Path.Combine(Directory.GetCurrentDirectory(), "soak-report");
Directory.CreateDirectory(reportDir);

await using var world = await SoakWorld.StartAsync();
Console.WriteLine($"soak: admission serve (pid {world.Pid}) in cluster mode against the test API server for {seconds} s");
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

var report = SoakReport.Judge(sampler.Samples);
var csv = Path.Combine(reportDir, "soak.csv");
var png = Path.Combine(reportDir, "soak.png");
SoakReport.WriteCsv(sampler.Samples, csv);
SoakReport.WritePlot(sampler.Samples, png, seconds);
Console.WriteLine(report.Text);
Console.WriteLine($"reviews: {load.Answered} answered ({load.Allowed} allowed, {load.Denied} denied), {load.Failed} failed; approvals created {churn.Created}, deleted {churn.Deleted}, failed {churn.Failed}");
foreach (var failure in load.FailureSamples) Console.WriteLine("  failed review: " + failure);
Console.WriteLine($"report: {csv}, {png}");
var ok = report.Flat && load.Failed == 0 && load.Answered > 0 && !world.Exited;
Console.WriteLine(ok ? "soak: PASS" : "soak: FAIL");
return ok ? 0 : 1;
