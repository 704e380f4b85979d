namespace Admission.TestApiServer.Controllers;

/// <summary>
/// The Deployment and ReplicaSet controllers (<see cref="TestApiServerOptions.Workloads"/>): both
/// follow every committed write (the store is empty when they start, so nothing is missed).
/// </summary>
internal sealed class WorkloadControllers : IDisposable
{
    private readonly ServerState _state;

    public WorkloadControllers(ServerState state)
    {
        _state = state;
        Deployments = new DeploymentController(state);
        ReplicaSets = new ReplicaSetController(state);
        state.Store.Committed += OnCommitted;
    }

    public DeploymentController Deployments { get; }

    public ReplicaSetController ReplicaSets { get; }

    public Exception? LastError => Deployments.LastError ?? ReplicaSets.LastError;

    public void Dispose()
    {
        _state.Store.Committed -= OnCommitted;
        Deployments.Dispose();
        ReplicaSets.Dispose();
    }

    private void OnCommitted(StoredChange change)
    {
        Deployments.OnCommitted(change);
        ReplicaSets.OnCommitted(change);
    }
}
