namespace Admission.TestApiServer.Storage;

/// <summary>
/// A watch's feed from the store. Events are queued at commit time under the store's lock, so a
/// watch sees every write after its starting point exactly once and in resourceVersion order.
/// Completing the channel with <see cref="ResourceExpiredException"/> tells the watch to send 410.
/// </summary>
internal sealed class WatchSubscription(ResourceDefinition resource, string? ns, IReadOnlyList<StoredEvent> backlog)
{
    public ResourceDefinition Resource { get; } = resource;

    public string? Namespace { get; } = ns;

    public IReadOnlyList<StoredEvent> Backlog { get; } = backlog;

    public Channel<StoredEvent> Feed { get; } = Channel.CreateUnbounded<StoredEvent>(new UnboundedChannelOptions { SingleReader = true });

    public bool Wants(StoredEvent e) =>
        ReferenceEquals(e.Resource, Resource) && (Namespace is null || e.Object["metadata"]?["namespace"]?.ToString() == Namespace);
}
