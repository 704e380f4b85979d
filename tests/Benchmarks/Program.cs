using BenchmarkDotNet.Running;

if (args is ["stages", ..])
{
    Admission.Benchmarks.CpuTimeRunner.Stages(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 9,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1000);
    return;
}
// "cpu [ROUNDS] [CALLS]": CPU time per call on a shared machine (CpuTimeRunner); anything else goes to BenchmarkDotNet.
if (args is ["cpu", ..])
{
    Admission.Benchmarks.CpuTimeRunner.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 21,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 2000);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Admission.Benchmarks.DecisionBenchmarks).Assembly).Run(args);
