namespace Admission.Policies.Tests.PolicyFile;

/// <summary>
/// Contract 5: a <c>workloadKinds</c> entry that names no kind Kubernetes serves in that group is
/// an error naming the key, the line and the likely fix. <c>[Deployment]</c> means the core group
/// and would guard nothing while looking right.
/// </summary>
public class WorkloadKindsServedTests
{
    private const string Source = "policy.yaml";

    public sealed record Bad(string Entry, string[] Says);

    public static readonly Table<Bad> Rejected = new()
    {
        { "Deployment without apps/ (the core group has none)", new("Deployment", ["\"Deployment\": Kubernetes serves no kind Deployment in the core group", "write apps/Deployment"]) },
        { "StatefulSet without apps/", new("StatefulSet", ["write apps/StatefulSet"]) },
        { "Job without batch/", new("Job", ["write batch/Job"]) },
        { "CronJob in apps", new("apps/CronJob", ["no kind CronJob in group apps", "write batch/CronJob"]) },
        { "Pod in apps (the core group's)", new("apps/Pod", ["write Pod"]) },
        { "the plural resource name", new("apps/Deployments", ["write apps/Deployment"]) },
        { "a dotless group Kubernetes does not have", new("app/Deployment", ["names no API group app", "write apps/Deployment"]) },
        { "Event names both groups that serve it", new("apps/Event", ["write Event or events.k8s.io/Event"]) },
        { "a kind no group serves: no fix offered", new("apps/Rollout", ["no kind Rollout in group apps"]) },
    };

    [Theory, RowsOf(nameof(Rejected))]
    public void An_entry_no_group_serves_is_an_error_with_key_line_and_fix(string name)
    {
        var c = Rejected[name];
        var yaml = $"requiredApprovals: 2\nworkloadKinds:\n- apps/StatefulSet\n- {c.Entry}\n";

        var e = Assert.Throws<InputException>(() => PolicyParser.Parse(yaml, Source));

        var error = Assert.Single(e.Errors);
        Assert.Equal(("workloadKinds[1]", 4), (error.Field, error.Line ?? 0));
        Assert.StartsWith($"{Source}:4: workloadKinds[1]: ", error.ToString(), StringComparison.Ordinal);
        foreach (var part in c.Says) Assert.Contains(part, error.Message, StringComparison.Ordinal);
        if (name.Contains("no fix", StringComparison.Ordinal)) Assert.DoesNotContain("write", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Pod")]
    [InlineData("ReplicationController")]
    [InlineData("apps/ReplicaSet")]
    [InlineData("apps/Deployment")]
    [InlineData("batch/Job")]
    [InlineData("batch/CronJob")]
    // A custom resource's group holds a dot; what it serves is the cluster's to know.
    [InlineData("argoproj.io/Rollout")]
    [InlineData("gateway.networking.k8s.io/HTTPRoute")]
    public void Served_kinds_and_custom_resource_groups_are_accepted(string entry)
    {
        var policy = PolicyParser.Parse($"workloadKinds: [{entry}]\n", Source);

        Assert.Equal([entry], policy.WorkloadKinds.Select(k => k.ToString()));
    }

    [Fact]
    public void The_contract_default_list_is_accepted()
    {
        var policy = PolicyParser.Parse("workloadKinds: [Pod, apps/ReplicaSet, apps/Deployment, apps/StatefulSet, apps/DaemonSet, batch/Job, batch/CronJob]\n", Source);

        Assert.Equal(7, policy.WorkloadKinds.Count);
    }
}
