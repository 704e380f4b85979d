using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;

namespace Admission.TestApiServer.Tests;

public sealed class LeaderElectionTests
{
    [Fact]
    public async Task LeaseLock_elects_exactly_one_of_two_candidates_and_the_other_takes_over()
    {
        await using var server = await Servers.StartAsync();
        var candidates = new[] { "one", "two" }.Select(id => new Candidate(server, id)).ToList();
        try
        {
            foreach (var candidate in candidates)
            {
                candidate.Start();
            }

            await WaitUntil(() => candidates.Any(c => c.Leading), TimeSpan.FromSeconds(10));
            for (var sample = 0; sample < 30; sample++)
            {
                Assert.True(candidates.Count(c => c.Leading) <= 1, "two candidates lead at once");
                await Task.Delay(50);
            }

            await WaitUntil(() => candidates.Any(c => c.Leading), TimeSpan.FromSeconds(10));
            var leader = candidates.First(c => c.Leading);
            var lease = server.Get("coordination.k8s.io", "leases", "kube-system", "admission-leader")!;
            Assert.Equal(leader.Id, lease["spec"]!["holderIdentity"]!.ToString());

            await leader.StopAsync();
            var other = candidates.Single(c => c != leader);
            await WaitUntil(() => other.Leading, TimeSpan.FromSeconds(15));
            lease = server.Get("coordination.k8s.io", "leases", "kube-system", "admission-leader")!;
            Assert.Equal(other.Id, lease["spec"]!["holderIdentity"]!.ToString());
        }
        finally
        {
            foreach (var candidate in candidates)
            {
                await candidate.StopAsync();
            }
        }
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }

    private sealed class Candidate(TestApiServer server, string id)
    {
        private readonly Kubernetes _client = server.CreateClient(Servers.Admin);
        private readonly CancellationTokenSource _stop = new();
        private LeaderElector? _elector;
        private Task? _run;
        private volatile bool _leading;

        public string Id => id;

        public bool Leading => _leading;

        public void Start()
        {
            var config = new LeaderElectionConfig(new LeaseLock(_client, "kube-system", "admission-leader", id))
            {
                LeaseDuration = TimeSpan.FromSeconds(3),
                RenewDeadline = TimeSpan.FromSeconds(2),
                RetryPeriod = TimeSpan.FromMilliseconds(250),
            };
            _elector = new LeaderElector(config);
            _elector.OnStartedLeading += () => _leading = true;
            _elector.OnStoppedLeading += () => _leading = false;
            _run = _elector.RunAndTryToHoldLeadershipForeverAsync(_stop.Token);
        }

        public async Task StopAsync()
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            await _stop.CancelAsync();
            try
            {
                await (_run ?? Task.CompletedTask);
            }
            catch (OperationCanceledException)
            {
            }

            _leading = false;
            _elector?.Dispose();
            _client.Dispose();
        }
    }
}
