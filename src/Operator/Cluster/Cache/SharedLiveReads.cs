using System.Text.Json;
using Admission.Policies;

namespace Admission.Operator.Cluster;

/// <summary>
/// The live reads before a denial or an admission, shared between the reviews of one namespace
/// that need one at the same time, without handing any review an answer older than its asking.
/// A review whose namespace has no read running starts one; a review that finds one running (it
/// began before the review asked, so it may miss an approval made a moment ago) waits for the next,
/// which starts when the running one ends and serves every review that arrived meanwhile.
/// </summary>
/// <remarks>
/// Without this, every denied review made its own quorum LIST, so the reads in flight were the
/// review rate times the API server's latency: the slower the API server, the more reads it was
/// sent. Now a namespace has at most one read running and one waiting per replica, however many
/// reviews wait on them.
/// </remarks>
internal sealed class SharedLiveReads(ILiveReader inner, TimeSpan timeout)
{
    private readonly Shared<ApprovalIndex> _approvals = new(timeout);
    private readonly Shared<JsonElement?> _namespaces = new(timeout);

    /// <summary>
    /// The namespace's ChangeApprovals as read live, indexed: read into models once for all the
    /// reviews that share the read, not once by each.
    /// </summary>
    public Task<ApprovalIndex> ApprovalsAsync(string ns, CancellationToken cancellationToken) =>
        _approvals.ReadAsync(ns, async token =>
        {
            var items = await inner.ListApprovalsAsync(ns, token).ConfigureAwait(false);
            return new ApprovalIndex(items.Select(item => CachedApproval.From(item, keep: false))
                .Where(a => a is { Model: not null } && a.Namespace == ns).Select(a => a!.Model!));
        }, cancellationToken);

    /// <summary>The Namespace object, or null when it does not exist.</summary>
    public Task<JsonElement?> NamespaceAsync(string name, CancellationToken cancellationToken) =>
        _namespaces.ReadAsync(name, token => inner.ReadNamespaceAsync(name, token), cancellationToken);

    /// <summary>Reads of one kind, by key: at most one running and one waiting to start per key.</summary>
    private sealed class Shared<T>(TimeSpan timeout)
    {
        private readonly Lock _gate = new();
        /// <summary>Per key with a read running: the next read's result, once a review waits for one.</summary>
        private readonly Dictionary<string, TaskCompletionSource<T>?> _next = new(StringComparer.Ordinal);

        public Task<T> ReadAsync(string key, Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
        {
            TaskCompletionSource<T> result;
            var start = false;
            lock (_gate)
            {
                if (_next.TryGetValue(key, out var next))
                {
                    result = next ?? new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _next[key] = result;
                }
                else
                {
                    result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _next[key] = null;
                    start = true;
                }
            }
            if (start) _ = RunAsync(key, result, read);
            // Each review keeps its own bound; the read it waits on keeps going for the others.
            return result.Task.WaitAsync(cancellationToken);
        }

        /// <summary>Reads for <paramref name="result"/>, then for whoever queued meanwhile, until nobody waits.</summary>
        private async Task RunAsync(string key, TaskCompletionSource<T> result, Func<CancellationToken, Task<T>> read)
        {
            while (true)
            {
                using (var bound = new CancellationTokenSource(timeout))
                {
                    try
                    {
                        result.TrySetResult(await read(bound.Token).ConfigureAwait(false));
                    }
                    catch (Exception e)
                    {
                        result.TrySetException(e);
                        // Nobody may be left to look at it (each review stops waiting at its own bound).
                        _ = result.Task.Exception;
                    }
                }
                lock (_gate)
                {
                    if (_next[key] is not { } next)
                    {
                        _next.Remove(key);
                        return;
                    }
                    result = next;
                    _next[key] = null;
                }
            }
        }
    }
}
