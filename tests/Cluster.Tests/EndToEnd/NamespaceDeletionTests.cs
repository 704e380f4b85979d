namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>
/// Contract section 4: deleting a Tier-1 namespace that a policy admin was allowed to delete must
/// finish. The stand-in's namespace controller empties it as kube-controller-manager does, each
/// object a DELETE through the webhook from system:serviceaccount:kube-system:namespace-controller.
/// </summary>
public sealed class NamespaceDeletionTests : ClusterTest
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await _cluster.StartAdmissionAsync();
    }

    // On this branch the product denies the namespace controller's DELETE of Deployment checkout
    // (NamespaceDeletionContentFailure: "... denied the request: namespace payments is Tier-1 ..."),
    // so the namespace stays Terminating, as it would in a cluster.
    [Fact]
    public async Task A_policy_admin_deletes_a_tier1_namespace_and_it_disappears()
    {
        var deleted = await ClusterHarness.Try(() => _cluster.Client("admin").CoreV1.DeleteNamespaceAsync(ClusterHarness.Ns));
        Assert.True(deleted.Ok, deleted.ToString());

        await Wait.UntilAsync(() => _cluster.Api.Get("", "namespaces", null, ClusterHarness.Ns) is null, TimeSpan.FromSeconds(30),
            () => $"{_cluster.Api.Get("", "namespaces", null, ClusterHarness.Ns)?["status"]?.ToJsonString()}\n{_cluster.Logs}");
        Assert.Null(_cluster.Api.Get("apps", "deployments", ClusterHarness.Ns, ClusterHarness.Deployment));
    }

    [Fact]
    public async Task A_developer_may_not_delete_a_tier1_namespace()
    {
        var refused = await ClusterHarness.Try(() => _cluster.Client("carol").CoreV1.DeleteNamespaceAsync(ClusterHarness.Ns));
        Assert.False(refused.Ok);
        Assert.Equal(403, refused.Code);
        Assert.Equal("Active", _cluster.Api.Get("", "namespaces", null, ClusterHarness.Ns)!["status"]!["phase"]!.ToString());
    }
}
