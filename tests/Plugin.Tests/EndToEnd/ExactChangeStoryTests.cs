using static Admission.Plugin.Tests.Support.ResultAssert;

namespace Admission.Plugin.Tests.EndToEnd;

/// <summary>
/// The exact-change story through the real kubectl, the plugin, the test API server and the real
/// webhook and operator, with requireExactChange on (the default): carol requests from a manifest,
/// alice sees the difference and approves, bob approves, carol's apply of exactly that manifest is
/// admitted and the approval turns Applied; dave's apply with one more environment variable is
/// denied, naming what differs; and once the live object moved on, approve refuses and says why.
/// </summary>
[Collection(ExactChangeGroup.Name)]
public sealed class ExactChangeStoryTests(ExactChangeCluster cluster) : TranscribedTests("exact-change")
{
    private protected override EndToEndCluster Cluster => cluster;

    private string? Phase(string name) =>
        cluster.Server.Get("approvals.admission.dev", "changeapprovals", EndToEndCluster.Namespace, name)?["status"]?["phase"]?.ToString();

    private async Task UntilPhaseAsync(string name, string phase)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Phase(name) != phase)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{name} did not turn {phase} (it is {Phase(name)})\n{cluster.WebhookLog}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Carol_requests_alice_and_bob_approve_her_exact_apply_is_admitted_and_daves_other_apply_is_denied()
    {
        var (manifest, other) = cluster.CheckoutManifests();

        var noManifest = await As("carol", "without -f, an approval could not bind the change", "change", "request", "deployment/checkout", "--reason", "Roll out 2.4.1");
        Assert.Equal(2, noManifest.Exit);
        Contains("requireExactChange", noManifest.Err, noManifest);

        var request = await As("carol", "carol requests exactly her manifest", "change", "request", "deployment/checkout", "-f", manifest,
            "--reason", "Roll out 2.4.1 (fixes INC-4411)", "--name", "checkout-241");
        Assert.True(request.Exit == 0, request.ToString());
        Contains("It binds the exact change: UPDATE of deployment/checkout from sha256:", request.Out, request);
        Contains("-         image: registry.example.com/checkout:2.4.0\n", request.Out, request);
        Contains("+         image: registry.example.com/checkout:2.4.1\n", request.Out, request);

        var show = await As("alice", "alice reads what she is asked to approve", "change", "show", "checkout-241");
        Assert.True(show.Exit == 0, show.ToString());
        Contains("a fresh preview of the recorded manifest still matches (same base, same result)", show.Out, show);
        Contains("+         image: registry.example.com/checkout:2.4.1\n", show.Out, show);
        // The plugin does not guess the live object: whether the change matches is the preview's answer alone.
        Assert.DoesNotContain("the live object is unknown", show.Out, StringComparison.Ordinal);

        Assert.True((await As("alice", null, "change", "approve", "checkout-241", "--yes")).Exit == 0);
        var bob = await As("bob", "the second approval", "change", "approve", "checkout-241", "--yes", "--comment", "diff checked");
        Assert.True(bob.Exit == 0, bob.ToString());
        Contains("Now 2 of 2 approvals (alice, bob): UPDATE of Deployment payments/checkout will be admitted until ", bob.Out, bob);
        await UntilPhaseAsync("checkout-241", "Approved");

        // dave applies the same change with LOG_LEVEL=debug: another result, denied, saying what differs.
        var dave = await As("dave", "dave applies a slightly different manifest", "apply", "-f", other);
        Assert.Equal(1, dave.Exit);
        Contains("ChangeApproval checkout-241", dave.Err, dave);
        Contains("the result differs: this request would store sha256:", dave.Err, dave);

        var apply = await As("carol", "carol applies exactly what was approved", "apply", "-f", manifest);
        Assert.True(apply.Exit == 0, apply.ToString());
        await UntilPhaseAsync("checkout-241", "Applied");
        var status = cluster.Server.Get("approvals.admission.dev", "changeapprovals", EndToEndCluster.Namespace, "checkout-241")!["status"]!;
        Assert.NotNull(status["appliedAt"]);

        // The same approval admits that change once: the base is gone, so approving it again is refused.
        var late = await As("alice", "a late approval after the change is live", "change", "approve", "checkout-241", "--yes");
        Assert.Equal(1, late.Exit);
        Contains("no longer matches the cluster: the live object changed since the request", late.Err, late);
    }
}
