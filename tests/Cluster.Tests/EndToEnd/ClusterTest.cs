namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>
/// A test class whose every test gets a fresh <see cref="ClusterHarness"/> (the story's cluster,
/// no replica started yet), stopped after it. A class that needs more at the start overrides
/// <see cref="InitializeAsync"/> and calls the base first.
/// </summary>
public abstract class ClusterTest : IAsyncLifetime
{
    private protected ClusterHarness _cluster = null!;

    /// <summary>Whether the cluster serves Pods, ReplicaSets and Jobs and runs their controllers.</summary>
    private protected virtual bool Workloads => false;

    public virtual async Task InitializeAsync() => _cluster = await ClusterHarness.StartAsync(workloads: Workloads);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();
}
