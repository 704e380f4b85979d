namespace Admission.Benchmarks;

/// <summary>What one decision's log line costs the request thread: encode and queue, in each format.</summary>
[MemoryDiagnoser]
public class DecisionLogBenchmarks
{
    private static readonly DecisionRecord Record = new("5f0c9b6e-2d4a-4f6b-9b1e-8f2a7c3d1e00", "carol@example.com", "UPDATE", "deployments.apps",
        "payments", "checkout", "approved", "payments/checkout-2-4-1", null, false, 0.182);
    private DecisionLog _log = null!;

    [Params("json", "text")]
    public string Format { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _log = new DecisionLog(Stream.Null, null, Format == "json", TimeProvider.System, capacity: 1 << 20);

    [GlobalCleanup]
    public void Cleanup() => _log.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public bool Write() => _log.Write(Record);
}
