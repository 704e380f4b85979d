using System.Diagnostics;
using System.Text.Json.Nodes;
using Admission.Operator.State;
using Admission.Operator.Webhook;
using Microsoft.Extensions.Logging;

namespace Admission.Benchmarks;

/// <summary>
/// One AdmissionReview through the webhook's whole pipeline (parse, read, decide against 10,000
/// cached approvals, log, encode the response) against the least any webhook must do with the
/// same bytes: parse them once. The goal is under 2x.
/// </summary>
[MemoryDiagnoser]
public class ReviewBenchmarks
{
    private byte[] _body = [];
    private ReviewHandler _handler = null!;
    private DecisionLog _log = null!;
    private DecisionSnapshot _snapshot = null!;
    private ILoggerFactory _loggers = null!;

    internal byte[] Body => _body;
    internal ReviewHandler Handler => _handler;
    internal DecisionLog Log => _log;
    internal DecisionSnapshot Snapshot => _snapshot;

    /// <summary>The same handler with another logger (the server's logs with scopes).</summary>
    internal ReviewHandler WithLogger(Microsoft.Extensions.Logging.ILogger<ReviewHandler> logger) =>
        new(AdmissionPolicy.Default, new FixedState(_snapshot), TimeProvider.System, logger, _log);

    /// <summary>update: a 3.4 KB Deployment UPDATE admitted by an approval; scale: a scale request.</summary>
    [Params("update", "scale")]
    public string Review { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var root = Admission.Tests.Shared.Repository.Root;
        var now = DateTimeOffset.UtcNow;
        if (Review == "update")
        {
            // The example UPDATE without its managed fields, annotations and status: 3.4 KB or so, as most are.
            var review = JsonNode.Parse(File.ReadAllBytes(Path.Combine(root, "examples", "reviews", "deployment-update-denied.json")))!;
            foreach (var key in new[] { "object", "oldObject" })
            {
                var o = review["request"]![key]!.AsObject();
                o.Remove("status");
                o["metadata"]!.AsObject().Remove("managedFields");
                o["metadata"]!.AsObject().Remove("annotations");
            }
            _body = JsonSerializer.SerializeToUtf8Bytes(review);
        }
        else
        {
            _body = File.ReadAllBytes(Path.Combine(root, "examples", "reviews", "deployment-scale.json"));
        }
        // The exact change of the update (contract 2.5): requireExactChange is on by default, so
        // without it the benchmark would measure a denial.
        ApprovedChange? change = null;
        using (var parsed = JsonDocument.Parse(_body))
        {
            var request = parsed.RootElement.GetProperty("request");
            if (Review == "update")
            {
                change = new ApprovedChange(ChangeDigest.Of(request.GetProperty("object"), AdmissionPolicy.Default),
                    ChangeDigest.Of(request.GetProperty("oldObject"), AdmissionPolicy.Default), null);
            }
        }
        // 10,000 approvals in 100 namespaces; payments/checkout's covers the example's images and change.
        var approvals = Enumerable.Range(0, 10_000).Select(i => new ChangeApproval
        {
            Namespace = i == 0 ? "payments" : "ns-" + (i % 100),
            Name = "change-" + i,
            Target = new ApprovalTarget("apps", "Deployment", i == 0 ? "checkout" : "app-" + i),
            Operations = [Operation.Create, Operation.Update],
            Images = ["registry.example.com/checkout:2.4.1", "registry.example.com/migrate:2.4.1"],
            Reason = "benchmark",
            RequestedBy = "carol",
            ExpiresAt = now.AddDays(30),
            Approvals = [new ApprovalEntry("alice", now, null), new ApprovalEntry("bob", now, null)],
            Change = i == 0 ? change : null,
        });
        var ns = new NamespaceIndex([KeyValuePair.Create("payments", (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { [AdmissionPolicy.TierLabel] = "1" })]);
        _log = new DecisionLog(Stream.Null, null, json: true, TimeProvider.System, capacity: 1 << 20);
        _snapshot = new DecisionSnapshot(new ApprovalIndex(approvals), ns);
        // The server's console logger with scopes (ServeLogging): each review opens one for its uid.
        _loggers = LoggerFactory.Create(l => l.AddJsonConsole(o => o.IncludeScopes = true));
        _handler = new ReviewHandler(AdmissionPolicy.Default, new FixedState(_snapshot),
            TimeProvider.System, _loggers.CreateLogger<ReviewHandler>(), _log);

        // Measure what the benchmark says it measures: the update admitted by its approval.
        using var check = JsonDocument.Parse(_body);
        var answer = _handler.HandleAsync(ReviewReader.Read(check.RootElement).Request!, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        var expected = Review == "update" ? "approved" : "no-approval-needed";
        if (answer.Response!.AuditAnnotations?["decision"] != expected)
        {
            throw new InvalidOperationException($"the {Review} review was decided {answer.Response.AuditAnnotations?["decision"]}, not {expected}: {answer.Response.Status?.Message}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _loggers.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int ParseOnly()
    {
        using var doc = JsonDocument.Parse(_body);
        return doc.RootElement.GetPropertyCount();
    }

    /// <summary>The parse as the webhook does it (ValidateEndpoint.ParseReview): the body checked for UTF-8, repeated keys refused.</summary>
    [Benchmark]
    public int ParseChecked()
    {
        using var doc = ValidateEndpoint.ParseReview(_body, out var problem) ?? throw new InvalidOperationException(problem);
        return doc.RootElement.GetPropertyCount();
    }

    /// <summary>
    /// What POST /validate does with a body once read (ValidateEndpoint): parse, decode, decide
    /// with the server's logger (scopes on), encode, observe the duration. Not the HTTP exchange.
    /// </summary>
    [Benchmark]
    public int FullPipeline()
    {
        var started = Stopwatch.GetTimestamp();
        using var doc = ValidateEndpoint.ParseReview(_body, out var problem) ?? throw new InvalidOperationException(problem);
        var decoded = ValidateEndpoint.Decode(doc.RootElement, _handler);
        if (decoded.Problem is not null) throw new InvalidOperationException("the benchmark review is refused: " + decoded.Problem);
        // The endpoint awaits, which costs nothing when the decision is ready; AsTask would allocate.
        var pending = _handler.HandleAsync(decoded.Uid, decoded.Input!, decoded.Policy!, CancellationToken.None);
        var response = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        var length = ReviewResponseWriter.Encode(response).Length;
        AdmissionMetrics.RequestDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return length;
    }

    private sealed class FixedState(DecisionSnapshot snapshot) : IApprovalState
    {
        public DecisionSnapshot Snapshot => snapshot;
        public Readiness Readiness => new(true, "fixed");
        public bool CanVerify => true;
        public ValueTask<DecisionSnapshot?> FreshenAsync(string ns, CancellationToken cancellationToken) => ValueTask.FromResult<DecisionSnapshot?>(null);
    }
}
