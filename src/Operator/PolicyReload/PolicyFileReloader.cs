using System.Security.Cryptography;
using Admission.Policies;

namespace Admission.Operator.PolicyReload;

/// <summary>
/// Polls the policy file and swaps a changed, valid policy in; a changed file that does not load
/// is refused once, loudly (an error log line naming file, line and key, the metrics, /readyz), and
/// the policy in force stays until the next valid change. Polling, not inotify: a ConfigMap volume
/// changes by a symlink swap that file watchers miss.
/// </summary>
public sealed partial class PolicyFileReloader(PolicySource source, TimeProvider clock, ILogger<PolicyFileReloader> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    // The content last acted on (loaded or refused), so each change is logged once, not every tick.
    private string _settled = source.Current.Sha256;
    // Content read once and not yet acted on: it is acted on only when the next read finds it
    // unchanged, so a file caught half-written by an editor is never loaded. Cut short, a policy
    // can still be valid YAML (an empty file is the defaults), and would then quietly decide.
    private string? _candidate;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var timer = new PeriodicTimer(Interval, clock);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Tick();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>One look at the file; public for tests, which drive it without a timer.</summary>
    public void Tick()
    {
        var file = source.File!;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var message = Hosting.StartupFiles.CannotRead(e);
            var content = "unreadable: " + message;
            if (content == _settled) return;
            _settled = content;
            _candidate = null;
            Refuse("the file could not be read", $"{file}: {message}");
            return;
        }
        var sha = Convert.ToHexString(SHA256.HashData(bytes));
        if (sha == _settled)
        {
            _candidate = null;
            return;
        }
        if (sha != _candidate)
        {
            _candidate = sha;
            return;
        }
        _candidate = null;
        _settled = sha;
        AdmissionPolicy policy;
        try
        {
            policy = PolicyParser.Parse(Cli.PolicyLoader.Decode(bytes), file);
        }
        catch (InputException e)
        {
            Refuse("sha256:" + sha[..12].ToLowerInvariant(), string.Join("\n", e.Errors));
            return;
        }
        source.Replace(policy, sha);
        LogReloaded(logger, file, source.Current.ShortHash, source.Current.Generation);
    }

    private void Refuse(string content, string error)
    {
        source.Refuse(content, error, clock.GetUtcNow());
        LogRefused(logger, source.File!, content, source.Current.ShortHash, source.Current.Generation, error.ReplaceLineEndings("; "));
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "policy reloaded from {File}: sha256:{Sha256}, generation {Generation}")]
    private static partial void LogReloaded(ILogger logger, string file, string sha256, long generation);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error,
        Message = "policy file {File} changed ({Content}) but was not loaded; still deciding with sha256:{Sha256}, generation {Generation}: {Errors}")]
    private static partial void LogRefused(ILogger logger, string file, string content, string sha256, long generation, string errors);
}
