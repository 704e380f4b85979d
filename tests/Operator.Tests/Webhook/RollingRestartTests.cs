namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// Three replicas behind one round-robin balancer, each stopped by SIGTERM and replaced in turn
/// while clients send reviews: not one review fails.
///
/// The balancer stands in for the endpoints and kube-proxy: it sends only to replicas it last saw
/// ready, and it looks every 250 ms, so its view lags, as theirs does, behind a replica that has
/// just been told to stop. Nothing is retried: kube-apiserver does not retry a webhook call, so a
/// review sent to a replica that closed its port is a failed change. What makes the test pass is
/// the drain delay: on SIGTERM a replica fails /readyz first and keeps serving for 2 s, longer than
/// the balancer's lag, and only then closes its listener and finishes what is in flight. With
/// <c>--drain-delay 0s</c> reviews the balancer sent in its last 250 ms meet a closed port.
/// </summary>
public sealed class RollingRestartTests
{
    private static readonly TimeSpan ProbePeriod = TimeSpan.FromMilliseconds(250);
    private const string DrainDelay = "2s";

    [Fact]
    public async Task Three_replicas_restarted_in_turn_by_SIGTERM_answer_every_review()
    {
        using var dir = new TempDir("admission-rolling-");
        File.Copy(Repo.Example("namespace.yaml"), dir.File("namespace.yaml"));
        var settings = new ServeSettings { Approvals = [dir.File("namespace.yaml")], ExtraArgs = ["--drain-delay", DrainDelay] };
        await using var balancer = new Balancer(ProbePeriod);
        for (var i = 0; i < 3; i++) balancer.Add(await ServeProcess.StartAsync(settings));
        await balancer.WaitInRotationAsync(3);

        var failures = new ConcurrentQueue<string>();
        var answered = 0;
        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var backend = balancer.Next();
                if (backend is null)
                {
                    failures.Enqueue("no replica in rotation");
                    await Task.Delay(50);
                    continue;
                }
                try
                {
                    var answer = await backend.Client.ReviewAsync(Review.Example("deployment-create"));
                    if (answer.Allowed || answer.Decision != "denied") failures.Enqueue($"replica {backend.Server.Port}: wrong answer {answer.Body}");
                    Interlocked.Increment(ref answered);
                    backend.Answered();
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException)
                {
                    failures.Enqueue($"replica {backend.Server.Port}: {e.Message}");
                }
            }
        })).ToArray();

        async Task MoreAnswers(string what)
        {
            var at = Volatile.Read(ref answered);
            await WebhookCalls.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref answered)), n => n >= at + 30, TimeSpan.FromSeconds(30), what);
        }

        await MoreAnswers("reviews before the rollout");
        for (var i = 0; i < 3; i++)
        {
            var old = balancer.Oldest();
            var stopped = Stopwatch.StartNew();
            var stopping = old.Server.StopAsync();
            // Told to stop, it says so at once, and still answers reviews while the balancer catches up.
            await WebhookCalls.EventuallyAsync(() => ReadyStatus(old.Server), s => s == HttpStatusCode.ServiceUnavailable,
                TimeSpan.FromSeconds(5), $"replica {old.Server.Port} unready after SIGTERM");
            using (var direct = old.Server.CreateClient())
            {
                var during = await direct.ReviewAsync(Review.Example("deployment-create"));
                Assert.Equal("denied", during.Decision);
            }
            await stopping;
            Assert.Equal(0, old.Server.ExitCode);
            Assert.True(stopped.Elapsed >= TimeSpan.FromSeconds(2) - TimeSpan.FromMilliseconds(100), $"replica {old.Server.Port} exited {stopped.Elapsed} after SIGTERM, before its drain delay");
            balancer.Remove(old);
            await old.DisposeAsync();

            var replacement = balancer.Add(await ServeProcess.StartAsync(settings));
            await WebhookCalls.EventuallyAsync(() => Task.FromResult(replacement.AnswerCount), n => n >= 10, TimeSpan.FromSeconds(30),
                $"reviews answered by replacement {i + 1}");
            await MoreAnswers($"reviews after replacement {i + 1}");
        }
        await stop.CancelAsync();
        await Task.WhenAll(senders);

        Assert.Empty(failures);
    }

    private static async Task<HttpStatusCode?> ReadyStatus(ServeProcess server)
    {
        try
        {
            using var client = server.CreateClient();
            using var response = await client.GetAsync("readyz");
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>A round-robin balancer over replicas that were ready at its last look.</summary>
    private sealed class Balancer : IAsyncDisposable
    {
        private readonly List<Backend> _backends = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _prober;
        private int _next;

        public Balancer(TimeSpan period)
        {
            _prober = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    Backend[] all;
                    lock (_backends) all = [.. _backends];
                    await Task.WhenAll(all.Select(async b => b.InRotation = await ReadyStatus(b.Server) == HttpStatusCode.OK));
                    try
                    {
                        await Task.Delay(period, _stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            });
        }

        public Backend Add(ServeProcess server)
        {
            var backend = new Backend(server);
            lock (_backends) _backends.Add(backend);
            return backend;
        }

        public void Remove(Backend backend)
        {
            lock (_backends) _backends.Remove(backend);
        }

        public Backend Oldest()
        {
            lock (_backends) return _backends[0];
        }

        public Backend? Next()
        {
            lock (_backends)
            {
                var ready = _backends.Where(b => b.InRotation).ToList();
                return ready.Count == 0 ? null : ready[_next++ % ready.Count];
            }
        }

        public Task WaitInRotationAsync(int count) => WebhookCalls.EventuallyAsync(
            () => { lock (_backends) return Task.FromResult(_backends.Count(b => b.InRotation)); }, n => n >= count, TimeSpan.FromSeconds(15), "replicas in rotation");

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _prober;
            Backend[] all;
            lock (_backends) all = [.. _backends];
            foreach (var b in all) await b.DisposeAsync();
            _stop.Dispose();
        }
    }

    private sealed class Backend(ServeProcess server) : IAsyncDisposable
    {
        private int _answered;

        public ServeProcess Server { get; } = server;
        public HttpClient Client { get; } = server.CreateClient();
        public volatile bool InRotation;
        public int AnswerCount => Volatile.Read(ref _answered);

        public void Answered() => Interlocked.Increment(ref _answered);

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Server.DisposeAsync();
        }
    }
}
