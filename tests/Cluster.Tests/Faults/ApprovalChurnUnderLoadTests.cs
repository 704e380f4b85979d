using Admission.Operator.Webhook;

namespace Admission.Cluster.Tests.Faults;

/// <summary>
/// 10,000 ChangeApprovals created and deleted while reviews run. None of the churned approvals
/// can admit the reviewed changes (they allow only DELETE, or target other Deployments), so the
/// engine's answer on any state the churn passes through is the answer on the stable state:
/// checkout admitted by its approval, billing denied. Every review must get exactly that.
/// </summary>
public sealed class ApprovalChurnUnderLoadTests : ClusterTest
{
    private const int Churned = 10_000;
    private const int Alive = 200;

    [Fact]
    public async Task Ten_thousand_approvals_come_and_go_and_no_decision_is_wrong()
    {
        var admission = await _cluster.StartAdmissionAsync();
        await ApprovedAsync("checkout-2-4-1");
        await Wait.ForAsync(() => admission.MetricAsync("admission_approvals_cached"), v => v == 1, TimeSpan.FromSeconds(5), "approval cached");

        var expected = new Dictionary<string, bool>
        {
            [ClusterHarness.Deployment] = EngineAnswer(ClusterHarness.Deployment, withChurn: true),
            ["billing"] = EngineAnswer("billing", withChurn: true),
        };
        Assert.Equal(expected[ClusterHarness.Deployment], EngineAnswer(ClusterHarness.Deployment, withChurn: false));
        Assert.Equal(expected["billing"], EngineAnswer("billing", withChurn: false));
        Assert.True(expected[ClusterHarness.Deployment]);
        Assert.False(expected["billing"]);

        await using var load = new ReviewLoad(admission, ClusterHarness.Deployment, "billing");
        var deletes = Channel.CreateBounded<string>(Alive);
        var deleteFailures = 0;
        var deleters = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            await foreach (var name in deletes.Reader.ReadAllAsync())
            {
                var deleted = await ClusterHarness.Try(() => _cluster.Client("admin").CustomObjects.DeleteNamespacedCustomObjectAsync(
                    ChangeApproval.Group, ChangeApproval.Version, ClusterHarness.Ns, ChangeApproval.Plural, name));
                if (!deleted.Ok) Interlocked.Increment(ref deleteFailures);
            }
        })).ToArray();
        for (var i = 0; i < Churned; i++)
        {
            _cluster.Api.Seed(Churn(i));
            if (i >= Alive) await deletes.Writer.WriteAsync(Name(i - Alive));
        }
        for (var i = Churned - Alive; i < Churned; i++) await deletes.Writer.WriteAsync(Name(i));
        deletes.Writer.Complete();
        await Task.WhenAll(deleters);
        Assert.Equal(0, deleteFailures);
        // The cache catches up with the churn eventually; it may lag (the live reads before every
        // denial list the namespace while the events queue), which costs freshness, never a wrong
        // decision: a stale cache is always confirmed by a live read before it admits.
        await Wait.ForAsync(() => admission.MetricAsync("admission_approvals_cached"), v => v == 1, TimeSpan.FromSeconds(180), "the churn drained from the cache");
        var answers = await load.StopAsync();

        Assert.True(answers.Count >= 20, $"only {answers.Count} reviews ran during the churn");
        Assert.All(answers, a =>
        {
            Assert.True(a.Status == 200, $"t={a.At:F1}s {a.Deployment}: {a.Status} {a.Message}");
            Assert.True(a.Allowed == expected[a.Deployment], $"t={a.At:F1}s {a.Deployment}: allowed={a.Allowed}, the engine says {expected[a.Deployment]}: {a.Message}");
        });
        Assert.DoesNotContain(admission.Output, l => l.Contains("Exception", StringComparison.Ordinal));
    }

    private static string Name(int i) => $"churn-{i}";

    /// <summary>Half allow only DELETE of the reviewed Deployments; half target Deployments no review touches.</summary>
    private static System.Text.Json.Nodes.JsonObject Churn(int i)
    {
        var target = (i % 4) switch { 0 => ClusterHarness.Deployment, 1 => "billing", _ => $"other-{i % 50}" };
        var approval = ClusterHarness.ApprovalObject(Name(i), "carol", DateTimeOffset.UtcNow.AddHours(1), target, "alice", "bob");
        if (i % 4 < 2) approval["spec"]!["operations"] = new System.Text.Json.Nodes.JsonArray("DELETE");
        return approval;
    }

    /// <summary>The engine's decision for the review the load sends, on the cluster's stable approval (plus one churned approval of each kind).</summary>
    private bool EngineAnswer(string deployment, bool withChurn)
    {
        var approvals = new List<ChangeApproval>();
        var stored = _cluster.Approval("checkout-2-4-1")!;
        var errors = new List<InputError>();
        approvals.Add(ChangeApprovalReader.Read(JsonSerializer.SerializeToElement(stored), errors, "checkout-2-4-1", ClusterHarness.Ns)!);
        if (withChurn)
        {
            for (var i = 0; i < 4; i++) approvals.Add(ChangeApprovalReader.Read(JsonSerializer.SerializeToElement(Churn(i)), errors, Name(i), ClusterHarness.Ns)!);
        }
        Assert.Empty(errors);
        using var doc = JsonDocument.Parse(Reviews.DeploymentImageUpdate("carol", deployment));
        // The same policy the admission process runs with (AdmissionProcess: approvals without change count).
        var policy = AdmissionPolicy.Default with { RequireExactChange = false };
        var (input, problem) = ReviewTranslator.ToInput(ReviewReader.Read(doc.RootElement).Request!, policy);
        Assert.Null(problem);
        var namespaces = new NamespaceIndex([KeyValuePair.Create(ClusterHarness.Ns, (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { ["approvals.admission.dev/tier"] = "1" })]);
        return AdmissionEngine.Decide(input!, new DecisionContext(policy, new ApprovalIndex(approvals), namespaces, DateTimeOffset.UtcNow)).Allowed;
    }
}
