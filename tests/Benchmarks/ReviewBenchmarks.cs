using System.Text.Json;
using Admission.Operator;
using Admission.Operator.State;
using Admission.Operator.Webhook;
using Admission.Policies;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Admission.Benchmarks;

/// <summary>
/// One AdmissionReview through the webhook's pipeline (deserialize, translate, decide, serialize)
/// against the least any webhook must do with the same bytes: parse them once.
/// </summary>
[MemoryDiagnoser]
public class ReviewBenchmarks
{
    private byte[] _body = [];
    private ReviewHandler _handler = null!;

    [Params("deployment-update-denied.json", "deployment-scale.json")]
    public string Review { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Admission.sln"))) root = Path.GetDirectoryName(root)!;
        _body = File.ReadAllBytes(Path.Combine(root, "examples", "reviews", Review));
        var ns = new NamespaceIndex([KeyValuePair.Create("payments", (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { [AdmissionPolicy.TierLabel] = "1" })]);
        _handler = new ReviewHandler(AdmissionPolicy.Default, new FixedState(new DecisionSnapshot(ApprovalIndex.Empty, ns)), TimeProvider.System, NullLogger<ReviewHandler>.Instance);
    }

    [Benchmark(Baseline = true)]
    public int ParseOnly()
    {
        using var doc = JsonDocument.Parse(_body);
        return doc.RootElement.GetPropertyCount();
    }

    [Benchmark]
    public int FullPipeline()
    {
        using var doc = JsonDocument.Parse(_body);
        var review = ReviewReader.Read(doc.RootElement);
        var response = _handler.HandleAsync(review.Request!, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return JsonSerializer.SerializeToUtf8Bytes(response, AdmissionJson.Relaxed.AdmissionReview).Length;
    }

    private sealed class FixedState(DecisionSnapshot snapshot) : IApprovalState
    {
        public DecisionSnapshot Snapshot => snapshot;
        public Readiness Readiness => new(true, "fixed");
        public bool CanVerify => true;
        public ValueTask<DecisionSnapshot?> FreshenAsync(string ns, CancellationToken cancellationToken) => ValueTask.FromResult<DecisionSnapshot?>(null);
    }
}
