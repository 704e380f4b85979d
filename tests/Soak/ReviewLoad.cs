using System.Collections.Concurrent;

namespace Admission.Soak;

/// <summary>
/// A steady review load: workers each sending reviews at a fixed pace, made from the examples
/// (create, update, scale, namespace relabel) with a fresh uid each. A review fails unless it is
/// answered 200 with a response echoing its uid.
/// </summary>
public sealed class ReviewLoad(SoakWorld world, int workers, int perWorkerPerSecond)
{
    private static readonly string[] Examples = ["deployment-create", "deployment-update-denied", "deployment-scale", "deployment-delete", "namespace-unlabel"];

    /// <summary>
    /// What each example must be answered. The churned approvals bind no change, so under the
    /// default policy (requireExactChange) they approve nothing, and no example's decision depends
    /// on which of them the cache holds: any other answer is a wrong decision.
    /// </summary>
    private static readonly Dictionary<string, (bool Allowed, string Decision)> Expected = new(StringComparer.Ordinal)
    {
        ["deployment-create"] = (false, "denied"),
        ["deployment-update-denied"] = (false, "denied"),
        ["deployment-scale"] = (true, "no-approval-needed"),
        ["deployment-delete"] = (false, "denied"),
        ["namespace-unlabel"] = (false, "denied"),
    };

    private long _wrong;

    /// <summary>Reviews answered 200 with a decision other than the one <see cref="Expected"/> names.</summary>
    public long Wrong => Interlocked.Read(ref _wrong);
    private readonly ConcurrentQueue<string> _failures = new();
    private long _answered, _allowed, _denied, _failed;

    public long Answered => Interlocked.Read(ref _answered);
    public long Allowed => Interlocked.Read(ref _allowed);
    public long Denied => Interlocked.Read(ref _denied);
    public long Failed => Interlocked.Read(ref _failed);
    public IEnumerable<string> FailureSamples => _failures.Take(10);

    public Task RunAsync(CancellationToken stop)
    {
        var bodies = Examples.Select(e => JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reviews", e + ".json")))!.AsObject()).ToArray();
        return Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkAsync(w, bodies, stop))));
    }

    private async Task WorkAsync(int worker, JsonObject[] bodies, CancellationToken stop)
    {
        var pace = TimeSpan.FromSeconds(1.0 / perWorkerPerSecond);
        var next = DateTime.UtcNow;
        for (var i = worker; !stop.IsCancellationRequested; i += workers)
        {
            var review = bodies[i % bodies.Length].DeepClone().AsObject();
            var uid = Guid.NewGuid().ToString();
            review["request"]!["uid"] = uid;
            try
            {
                using var content = new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json");
                using var response = await world.Http.PostAsync(new Uri("/validate?timeout=10s", UriKind.Relative), content, CancellationToken.None);
                var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
                var answer = (int)response.StatusCode == 200 ? JsonNode.Parse(text)?["response"] : null;
                if (answer?["uid"]?.ToString() != uid)
                {
                    Fail($"{(int)response.StatusCode}: {text[..Math.Min(200, text.Length)]}");
                }
                else
                {
                    Interlocked.Increment(ref _answered);
                    var allowed = answer["allowed"]?.GetValue<bool>() == true;
                    Interlocked.Increment(ref allowed ? ref _allowed : ref _denied);
                    var decision = answer["auditAnnotations"]?["decision"]?.ToString();
                    var expected = Expected[Examples[i % bodies.Length]];
                    if (allowed != expected.Allowed || decision != expected.Decision)
                    {
                        Interlocked.Increment(ref _wrong);
                        if (_failures.Count < 10) _failures.Enqueue($"{Examples[i % bodies.Length]}: allowed={allowed} decision={decision}, expected {expected}");
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                Fail(e.GetType().Name + ": " + e.Message);
            }
            next += pace;
            var wait = next - DateTime.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            else
            {
                next = DateTime.UtcNow; // behind: do not burst to catch up
            }
        }
    }

    private void Fail(string what)
    {
        Interlocked.Increment(ref _failed);
        if (_failures.Count < 10) _failures.Enqueue(what);
    }
}
