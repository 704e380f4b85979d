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

    /// <summary>The API server's answer to the first create or delete that failed, for the report.</summary>
    public string? FirstFailure { get; private set; }

    public async Task RunAsync(CancellationToken stop)
    {
        var live = new Queue<string>();
        var pace = TimeSpan.FromSeconds(1.0 / perSecond);
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var name = $"soak-{n}";
            try
            {
                // Created empty (the CRD refuses entries on create), then approved by two people, one entry per update as the CRD requires.
                await world.Admin.CustomObjects.CreateNamespacedCustomObjectAsync(Approval(name, n), "approvals.admission.dev", "v1alpha1", SoakWorld.Ns, "changeapprovals", cancellationToken: CancellationToken.None);
                Interlocked.Increment(ref _created);
                foreach (var approver in (string[])["alice", "bob"])
                {
                    await world.Admin.CustomObjects.PatchNamespacedCustomObjectAsync(new k8s.Models.V1Patch(Entry(approver), k8s.Models.V1Patch.PatchType.JsonPatch),
                        "approvals.admission.dev", "v1alpha1", SoakWorld.Ns, "changeapprovals", name, cancellationToken: CancellationToken.None);
                }
                live.Enqueue(name);
                if (live.Count > keep)
                {
                    await world.Admin.CustomObjects.DeleteNamespacedCustomObjectAsync("approvals.admission.dev", "v1alpha1", SoakWorld.Ns, "changeapprovals", live.Dequeue(), cancellationToken: CancellationToken.None);
                    Interlocked.Increment(ref _deleted);
                }
            }
            catch (HttpOperationException e)
            {
                Interlocked.Increment(ref _failed);
                FirstFailure ??= $"{(int)e.Response.StatusCode}: {e.Response.Content}";
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

    private static string Entry(string approver)
    {
        var at = SoakWorld.Time(DateTimeOffset.UtcNow);
        return $$$"""[{"op":"add","path":"/spec/approvals/-","value":{"approver":"{{{approver}}}","approvedAt":"{{{at}}}"}}]""";
    }

    private static System.Text.Json.Nodes.JsonObject Approval(string name, int n)
    {
        var now = DateTimeOffset.UtcNow;
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
                notBefore = SoakWorld.Time(now.AddMinutes(-5)),
                expiresAt = SoakWorld.Time(now.AddHours(1)),
                approvals = Array.Empty<object>(),
            },
        });
    }
}
