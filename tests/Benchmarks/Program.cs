using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Admission.Benchmarks.DecisionBenchmarks).Assembly).Run(args);
