namespace Admission.Plugin.Tests.Support;

/// <summary>
/// An end-to-end test class whose kubectl commands are recorded, with what they printed, in the
/// transcript the class names (for the docs), saved after each test, also after one that
/// failed, which is when the transcript is wanted most.
/// </summary>
public abstract class TranscribedTests(string name) : IAsyncLifetime
{
    private protected Transcript Transcript { get; } = new(name);

    /// <summary>The cluster the commands run on (the class's fixture).</summary>
    private protected abstract EndToEndCluster Cluster { get; }

    /// <summary>The real kubectl as <paramref name="user"/>, recorded under <paramref name="note"/> (none when null).</summary>
    private protected Task<ProcessResult> As(string user, string? note, params string[] args) => Transcript.KubectlAsync(Cluster, user, null, note, args);

    /// <summary>The same, with <paramref name="env"/> set for kubectl and the plugin.</summary>
    private protected Task<ProcessResult> AsWith(string user, IReadOnlyDictionary<string, string?> env, string? note, params string[] args) =>
        Transcript.KubectlAsync(Cluster, user, env, note, args);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Transcript.Save();
        return Task.CompletedTask;
    }
}
