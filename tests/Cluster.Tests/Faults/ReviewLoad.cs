namespace Admission.Cluster.Tests.Faults;

/// <summary>One review sent by the load and how it was answered; At is when it was sent, in seconds since the load began.</summary>
internal sealed record Answered(double At, string Deployment, int Status, bool Allowed, string Message)
{
    /// <summary>Seconds since the load began when the answer arrived.</summary>
    public double Done { get; init; }
}

/// <summary>
/// A load generator for fault tests: workers sending image-change reviews for the given
/// Deployments straight to the webhook (as kube-apiserver would, which is what the fault may be
/// taking away) until stopped, keeping every answer with its time for the test to judge.
/// </summary>
internal sealed class ReviewLoad : IAsyncDisposable
{
    private readonly ConcurrentQueue<Answered> _answers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _running;

    public ReviewLoad(AdmissionProcess admission, params string[] deployments)
    {
        _running = Task.WhenAll(deployments.Select(d => Task.Run(() => WorkAsync(admission, d))));
    }

    public double Now => _clock.Elapsed.TotalSeconds;

    public IReadOnlyList<Answered> Answers => [.. _answers.OrderBy(a => a.At)];

    private async Task WorkAsync(AdmissionProcess admission, string deployment)
    {
        while (!_stop.IsCancellationRequested)
        {
            var sent = Now;
            try
            {
                var (status, body) = await admission.PostAsync("/validate", Reviews.DeploymentImageUpdate("carol", deployment));
                var response = status == 200 ? JsonNode.Parse(body)?["response"] : null;
                _answers.Enqueue(new Answered(sent, deployment, status, response?["allowed"]?.GetValue<bool>() == true,
                    response?["status"]?["message"]?.ToString() ?? body) { Done = Now });
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                _answers.Enqueue(new Answered(sent, deployment, 0, false, e.GetType().Name + ": " + e.Message) { Done = Now });
            }
            await Task.Delay(20);
        }
    }

    public async Task<IReadOnlyList<Answered>> StopAsync()
    {
        await _stop.CancelAsync();
        await _running;
        return Answers;
    }

    public async ValueTask DisposeAsync()
    {
        await BackgroundLoop.StopAsync(_stop, _running);
        _stop.Dispose();
    }
}
