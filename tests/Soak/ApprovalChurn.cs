using k8s;
using k8s.Autorest;

namespace Admission.Soak;

/// <summary>
/// ChangeApprovals created and deleted at a steady rate, so the webhook's watch-fed cache and the
/// status operator see a stream of ADDED, MODIFIED (status) and DELETED events the whole run.
/// </summary>
public sealed class ApprovalChurn(SoakWorld world, int perSecond, int keep)
{
    private long _created, _deleted, _failed;

    public long Created => Interlocked.Read(ref _created);
    public long Deleted => Interlocked.Read(ref _deleted);
    public long Failed => Interlocked.Read(ref _failed);

    public async Task RunAsync(CancellationToken stop)
    {
        var live = new Queue<string>();
        var pace = TimeSpan.FromSeconds(1.0 / perSecond);
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var name = $"soak-{n}";
            try
            {
                await world.Admin.CustomObjects.CreateNamespacedCustomObjectAsync(Approval(name, n), "approvals.admission.dev", "v1alpha1", SoakWorld.Ns, "changeapprovals", cancellationToken: CancellationToken.None);
                Interlocked.Increment(ref _created);
                live.Enqueue(name);
                if (live.Count > keep)
                {
                    await world.Admin.CustomObjects.DeleteNamespacedCustomObjectAsync("approvals.admission.dev", "v1alpha1", SoakWorld.Ns, "changeapprovals", live.Dequeue(), cancellationToken: CancellationToken.None);
                    Interlocked.Increment(ref _deleted);
                }
            }
            catch (HttpOperationException)
            {
                Interlocked.Increment(ref _failed);
            }
            try
            {
                await Task.Delay(pace, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static System.Text.Json.Nodes.JsonObject Approval(string name, int n)
    {
        var now = DateTimeOffset.UtcNow;
        static string T(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return SoakWorld.Node(new
        {
            apiVersion = "approvals.admission.dev/v1alpha1",
            kind = "ChangeApproval",
            metadata = new { name, @namespace = SoakWorld.Ns },
            spec = new
            {
                // Every third one targets the Deployment the reviews change, the rest others.
                target = new { apiGroup = "apps", kind = "Deployment", name = n % 3 == 0 ? "checkout" : $"service-{n % 40}" },
                operations = new[] { "CREATE", "UPDATE" },
                images = new[] { "registry.example.com/checkout:2.4.1", "registry.example.com/migrate:2.4.1" },
                reason = "soak churn " + n,
                requestedBy = "carol",
                notBefore = T(now.AddMinutes(-5)),
                expiresAt = T(now.AddHours(1)),
                approvals = new[] { new { approver = "alice", approvedAt = T(now) }, new { approver = "bob", approvedAt = T(now) } },
            },
        });
    }
}
