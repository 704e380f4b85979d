namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>
/// A test class whose every test gets a fresh <see cref="ClusterHarness"/> (the story's cluster,
/// no replica started yet), stopped after it. A class that needs more at the start overrides
/// <see cref="InitializeAsync"/> and calls the base first.
/// </summary>
/// <param name="workloads">Whether the cluster serves Pods, ReplicaSets and Jobs and runs their controllers.</param>
public abstract class ClusterTest(bool workloads = false) : IAsyncLifetime
{
    private protected ClusterHarness _cluster = null!;

    public virtual async Task InitializeAsync() => _cluster = await ClusterHarness.StartAsync(workloads: workloads);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    /// <summary>
    /// Carol asks for approval <paramref name="name"/> of the story's Deployment; alice and bob
    /// give it the two approvals a Tier-1 change needs. Each step must succeed.
    /// </summary>
    private protected async Task ApprovedAsync(string name, DateTimeOffset? expiresAt = null)
    {
        var created = await _cluster.CreateApprovalAsync("carol", name, expiresAt);
        Assert.True(created.Ok, created.ToString());
        foreach (var approver in (string[])["alice", "bob"])
        {
            var approved = await _cluster.ApproveAsync(approver, name);
            Assert.True(approved.Ok, approved.ToString());
        }
    }
}
