using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;

namespace Admission.Operator.Cluster;

/// <summary>
/// Who runs the leader-only work. <see cref="RunAsync"/> returns only when stopped; each time this
/// replica becomes leader it runs <c>lead</c> with a token cancelled when leadership is lost.
/// </summary>
internal interface ILeaderElection
{
    string Identity { get; }

    Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken stoppingToken);
}

/// <summary>A coordination.k8s.io Lease, through KubernetesClient's <see cref="LeaderElector"/>.</summary>
internal sealed partial class LeaseLeaderElection(
    IKubernetes client, ClusterSettings settings, ClusterTimings timings, ILogger<LeaseLeaderElection> logger)
    : ILeaderElection
{
    private readonly string _ns = settings.Namespace;
    private readonly string _leaseName = settings.LeaseName;
    private readonly string _identity = settings.Identity;

    public string Identity => _identity;

    /// <summary>The pod's name (unique among replicas and readable in the Lease), else the machine's, and a random suffix for restarts.</summary>
    public static string NewIdentity(string? podName) =>
        (podName ?? Environment.MachineName) +
        "_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));

    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken stoppingToken)
    {
        var leaseLock = new LeaseLock(client, _ns, _leaseName, _identity);
        var config = new LeaderElectionConfig(leaseLock)
        {
            LeaseDuration = timings.LeaseDuration,
            RenewDeadline = timings.RenewDeadline,
            RetryPeriod = timings.RetryPeriod,
        };
        LogCandidate(logger, _identity, _ns, _leaseName);
        while (!stoppingToken.IsCancellationRequested)
        {
            using var elector = new LeaderElector(config);
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            Task? work = null;
            elector.OnStartedLeading += () =>
            {
                LogLeading(logger, _identity, _ns, _leaseName);
                work = Task.Run(() => lead(leading.Token), CancellationToken.None);
            };
            elector.OnNewLeader += leader => LogNewLeader(logger, leader ?? "(none)");
            elector.OnError += e => LogError(logger, ListWatchLoop.Describe(e));
            try
            {
                await elector.RunUntilLeadershipLostAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // stopping
            }
            catch (Exception e)
            {
                LogError(logger, ListWatchLoop.Describe(e));
            }
            await leading.CancelAsync().ConfigureAwait(false);
            if (work is not null)
            {
                try
                {
                    await work.ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogError(logger, "leader work failed: " + e.Message);
                }
                if (stoppingToken.IsCancellationRequested)
                {
                    await ReleaseAsync(leaseLock).ConfigureAwait(false);
                }
                else
                {
                    LogLost(logger, _identity);
                }
            }
            if (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(timings.RetryPeriod, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // stopping
                }
            }
        }
    }

    /// <summary>On a clean stop, hand the Lease over at once instead of letting it run out.</summary>
    private async Task ReleaseAsync(LeaseLock leaseLock)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            var record = await leaseLock.GetAsync(timeout.Token).ConfigureAwait(false);
            if (record?.HolderIdentity != _identity) return;
            var now = DateTime.UtcNow;
            await leaseLock.UpdateAsync(new LeaderElectionRecord
            {
                HolderIdentity = "",
                LeaseDurationSeconds = 1,
                AcquireTime = now,
                RenewTime = now,
                LeaderTransitions = record.LeaderTransitions,
            }, timeout.Token).ConfigureAwait(false);
            LogReleased(logger, _ns, _leaseName);
        }
        catch (Exception e)
        {
            LogError(logger, "could not release the lease: " + ListWatchLoop.Describe(e));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "leader election: {Identity} is a candidate for Lease {Namespace}/{Lease}")]
    private static partial void LogCandidate(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(Level = LogLevel.Information, Message = "leader election: {Identity} now leads (Lease {Namespace}/{Lease})")]
    private static partial void LogLeading(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(Level = LogLevel.Information, Message = "leader election: the leader is {Leader}")]
    private static partial void LogNewLeader(ILogger logger, string leader);

    [LoggerMessage(Level = LogLevel.Warning, Message = "leader election: {Identity} lost the lease")]
    private static partial void LogLost(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "leader election: released Lease {Namespace}/{Lease}")]
    private static partial void LogReleased(ILogger logger, string @namespace, string lease);

    [LoggerMessage(Level = LogLevel.Debug, Message = "leader election: {Error}")]
    private static partial void LogError(ILogger logger, string error);
}

/// <summary>Runs the leader-only work under an election, on every replica that is a candidate.</summary>
internal sealed class LeaderService(ILeaderElection election, IEnumerable<ILeaderWork> work) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        election.RunAsync(leading => Task.WhenAll(work.Select(w => Task.Run(() => w.RunAsync(leading), CancellationToken.None))), stoppingToken);
}

/// <summary>Work only the leader does: the status operator, and in 'self' mode the certificate issuer.</summary>
internal interface ILeaderWork
{
    Task RunAsync(CancellationToken leading);
}
