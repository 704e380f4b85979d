using Admission.Operator.Webhook;
using Microsoft.Extensions.Logging;

namespace Admission.Benchmarks;

/// <summary>
/// <c>cpu stages</c>: the full pipeline of <see cref="ReviewBenchmarks"/> cut into its stages, each
/// timed alone on inputs prepared once, to see where the time outside parse and decision goes.
/// </summary>
internal static class ReviewStages
{
    private static T Result<T>(ValueTask<T> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    public static IEnumerable<(string Name, Func<int> Operation)> Of(ReviewBenchmarks b)
    {
        var body = b.Body;
        using var doc = JsonDocument.Parse(body);
        var review = ReviewReader.Read(doc.RootElement);
        var policy = b.Handler.Policy;
        var input = ReviewTranslator.ToInput(review.Request!, policy).Input!;
        var uid = review.Request!.Uid!;
        var response = Result(b.Handler.HandleAsync(uid, input, policy, CancellationToken.None));
        var decision = AdmissionEngine.Decide(input, new DecisionContext(policy, b.Snapshot.Approvals, b.Snapshot.Namespaces, DateTimeOffset.UtcNow));
        var record = new DecisionRecord(uid, input.User.Username, input.Operation.ToWire(), AdmissionEngine.Describe(input), input.Namespace, input.Name,
            decision.Code.ToWire(), decision.Approval ?? "", decision.Digest, input.DryRun, 0.123);
        var factory = LoggerFactory.Create(l => l.AddJsonConsole(o => o.IncludeScopes = true));
        var logger = factory.CreateLogger<ReviewHandler>();
        var scope = LoggerMessage.DefineScope<string>("review uid={Uid}");
        var quietHandler = b.WithLogger(Microsoft.Extensions.Logging.Abstractions.NullLogger<ReviewHandler>.Instance);

        // The document must outlive the stages that read it.
        var keep = JsonDocument.Parse(body);
        var root = keep.RootElement;
        var kept = ReviewReader.Read(root);
        var keptInput = ReviewTranslator.ToInput(kept.Request!, policy).Input!;
        yield return ("parse checked", () => { using var d = ValidateEndpoint.ParseReview(body, out _)!; return 1; });
        yield return ("read envelope", () => ReviewReader.Read(root).Request!.Uid!.Length);
        yield return ("envelope check", () => ReviewTranslator.EnvelopeProblem(kept) is null ? 1 : 0);
        yield return ("translate", () => ReviewTranslator.ToInput(kept.Request!, policy).Input!.Name.Length);
        yield return ("decide (engine)", () => AdmissionEngine.Decide(keptInput, new DecisionContext(policy, b.Snapshot.Approvals, b.Snapshot.Namespaces, DateTimeOffset.UtcNow)).Code == 0 ? 1 : 0);
        yield return ("decode (read+envelope+translate)", () => ValidateEndpoint.Decode(root, b.Handler).Uid.Length);
        yield return ("handler (null logger)", () => Result(quietHandler.HandleAsync(uid, keptInput, policy, CancellationToken.None)).Kind!.Length);
        yield return ("handler (json console logger)", () => Result(b.Handler.HandleAsync(uid, keptInput, policy, CancellationToken.None)).Kind!.Length);
        yield return ("scope (json console logger)", () => { using var s = scope(logger, uid); return 1; });
        yield return ("describe", () => AdmissionEngine.Describe(keptInput).Length);
        yield return ("metrics decision inc", () => { AdmissionMetrics.Decision(decision.Allowed, decision.Code).Inc(); return 1; });
        yield return ("decision line encode", () =>
        {
            var (line, length) = DecisionLineEncoder.ForThisThread().Encode(record, DateTimeOffset.UtcNow, json: true);
            LinePool.Instance.Return(line);
            return length;
        });
        yield return ("decision log write", () => b.Log.Write(record) ? 1 : 0);
        yield return ("responses from", () => ReviewResponses.From(uid, decision).Kind!.Length);
        yield return ("response encode", () => ReviewResponseWriter.Encode(response).Length);
        yield return ("duration observe", () => { AdmissionMetrics.RequestDuration.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(System.Diagnostics.Stopwatch.GetTimestamp()).TotalSeconds); return 1; });
    }
}
