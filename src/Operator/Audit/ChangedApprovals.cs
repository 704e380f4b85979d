using System.Threading.Channels;
using Admission.Operator.Cluster;

namespace Admission.Operator.Audit;

/// <summary>
/// The loop both audit workers run while leading: the key of every ChangeApproval there at the
/// start and of every one that changes later, handled one at a time in the order they came, until
/// leadership ends. A key is queued only when <c>wanted</c> says so (at the moment it changed).
/// </summary>
internal static class ChangedApprovals
{
    public static async Task EachAsync(IApprovalObjects objects, Func<string, bool> wanted, Func<string, Task> handle, CancellationToken leading)
    {
        var queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        void OnChanged(string key)
        {
            if (wanted(key)) queue.Writer.TryWrite(key);
        }
        objects.Changed += OnChanged;
        try
        {
            foreach (var approval in objects.All) OnChanged(approval.Key);
            await foreach (var key in queue.Reader.ReadAllAsync(leading).ConfigureAwait(false))
            {
                await handle(key).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (leading.IsCancellationRequested)
        {
            // leadership lost or stopping
        }
        finally
        {
            objects.Changed -= OnChanged;
        }
    }
}
