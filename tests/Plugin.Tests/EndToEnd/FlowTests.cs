using static Admission.Plugin.Tests.Support.ResultAssert;

namespace Admission.Plugin.Tests.EndToEnd;

/// <summary>
/// The whole flow through the real kubectl, the plugin on PATH, the test API server and the real
/// webhook in cluster mode: request, two approvals, apply admitted; denied without them, with the
/// webhook's message on kubectl's stderr; server-side dry runs with warnings; withdraw turning an
/// admitted change back into a denied one.
/// </summary>
[Collection(EndToEndGroup.Name)]
public sealed partial class FlowTests(EndToEndCluster cluster) : TranscribedTests("flow")
{
    private protected override EndToEndCluster Cluster => cluster;

    /// <summary>Watches deliver within moments, not instantly: retry a dry run until the webhook has seen the change.</summary>
    private async Task<ProcessResult> EventuallyAsync(string user, Func<ProcessResult, bool> done, params string[] args)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var result = await cluster.KubectlAsync(user, args);
            if (done(result) || DateTime.UtcNow > deadline) return result;
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Request_approve_apply_withdraw()
    {
        var (v241, v241Debug) = cluster.CheckoutManifests();

        // Without an approval, the webhook denies and says how to request one.
        var denied = await As("carol", "carol tries to roll out 2.4.1 without an approval", "apply", "-f", v241);
        Assert.Equal(1, denied.Exit);
        Contains("admission webhook \"workloads.approvals.admission.dev\" denied the request: namespace payments is Tier-1: UPDATE of Deployment payments/checkout " +
                 "needs a ChangeApproval approved by 2 people other than its requester. No ChangeApproval in payments targets Deployment checkout.\n" +
                 "Request one: kubectl change request deployment/checkout -n payments --reason \"<why>\"", denied.Err, denied);

        // carol requests; the plugin takes her name from the API server and the images from the manifest.
        var request = await As("carol", "carol requests approval", "change", "request", "deployment/checkout",
            "--reason", "Roll out 2.4.1 (fixes INC-4411)", "--ticket", "CHG-12345", "--from-file", v241);
        Assert.True(request.Exit == 0, request.ToString());
        var name = CreatedName().Match(request.Out).Groups[1].Value;
        Assert.StartsWith("checkout-", name, StringComparison.Ordinal);
        Contains("It covers CREATE, UPDATE of Deployment payments/checkout with images registry.example.com/checkout:2.4.1, valid until ", request.Out, request);
        Contains("Next: 2 people other than carol, each in the group tier1-approvers, must approve it. Each of them runs:\n" +
                 $"  kubectl change approve {name} -n payments\n", request.Out, request);
        var stored = cluster.Server.Get("approvals.admission.dev", "changeapprovals", "payments", name)!;
        Assert.Equal("carol", stored["spec"]!["requestedBy"]!.GetValue<string>());

        // A server-side dry run is decided exactly as the real change, and kubectl shows the warnings naming what is missing.
        var dry0 = await EventuallyAsync("carol", r => r.Err.Contains($"ChangeApproval payments/{name}", StringComparison.Ordinal), "apply", "--dry-run=server", "-f", v241);
        Transcript.Add("carol", ["apply", "--dry-run=server", "-f", v241], dry0, "a server-side dry run shows what is missing");
        Assert.Equal(1, dry0.Exit);
        Contains($"Warning: ChangeApproval payments/{name}: 0 of 2 approvals, needs 2 more from someone other than carol\n", dry0.Err, dry0);

        var alice = await As("alice", "alice approves", "change", "approve", name, "--comment", "checked the canary");
        Assert.True(alice.Exit == 0, alice.ToString());
        Assert.Equal($"changeapproval.approvals.admission.dev/{name} approved by alice\n" +
                     "Now 1 of 2 approvals (alice); it still lacks: 1 of 2 approvals (alice), needs 1 more from someone other than carol.\n", alice.Out);

        var list = await As("carol", "carol follows her request", "change", "list");
        Assert.Equal(0, list.Exit);
        Assert.Matches(@"^NAME +TARGET +PHASE +APPROVALS +EXPIRES +AGE\n", list.Out);
        Assert.Matches($@"(?m)^{name} +Deployment/checkout +Pending +1/2 \(alice\) +2[34]h +\S+$", list.Out);

        var dry1 = await EventuallyAsync("carol", r => r.Err.Contains("1 of 2 approvals (alice)", StringComparison.Ordinal), "apply", "--dry-run=server", "-f", v241);
        Transcript.Add("carol", ["apply", "--dry-run=server", "-f", v241], dry1, "one approval is not enough");
        Assert.Equal(1, dry1.Exit);
        Contains($"Warning: ChangeApproval payments/{name}: 1 of 2 approvals (alice), needs 1 more from someone other than carol\n", dry1.Err, dry1);

        var bob = await As("bob", "bob approves", "change", "approve", name);
        Assert.True(bob.Exit == 0, bob.ToString());
        Contains($"changeapproval.approvals.admission.dev/{name} approved by bob\nNow 2 of 2 approvals (alice, bob): CREATE, UPDATE of Deployment payments/checkout " +
                 "with images registry.example.com/checkout:2.4.1 will be admitted until ", bob.Out, bob);

        var show = await As("carol", null, "change", "show", name);
        Assert.Equal(0, show.Exit);
        Contains("Phase:        Approved", show.Out, show);
        Contains("  alice      ", show.Out, show);
        Contains("checked the canary", show.Out, show);
        Contains("Lacks:        nothing; CREATE, UPDATE of Deployment payments/checkout is admitted until ", show.Out, show);
        Contains("Policy:       ConfigMap admission-system/admission-policy (policy.yaml)", show.Out, show);

        var why = await As("carol", "what the webhook will say, asked beforehand", "change", "why", "deployment/checkout", "-f", v241);
        Assert.True(why.Exit == 0, why.ToString());
        Contains("UPDATE of Deployment payments/checkout by carol would be ALLOWED (approved) now", why.Out, why);
        Contains($"approved by alice, bob in ChangeApproval payments/{name}\n", why.Out, why);

        // Admitted: the webhook may have to read the approval live, which it does before denying.
        var applied = await As("carol", "carol applies", "apply", "-f", v241);
        Assert.True(applied.Exit == 0, applied.ToString());
        Assert.Equal("deployment.apps/checkout configured\n", applied.Out);
        var live = cluster.Server.Get("apps", "deployments", "payments", "checkout")!;
        Assert.Equal("registry.example.com/checkout:2.4.1", live["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());

        var dryOk = await As("carol", "a further change with the same image is covered too", "apply", "--dry-run=server", "-f", v241Debug);
        Assert.True(dryOk.Exit == 0, dryOk.ToString());
        Assert.Equal("deployment.apps/checkout configured (server dry run)\n", dryOk.Out);

        // Withdrawing turns the admitted change back into a denied one.
        var withdraw = await As("bob", "bob withdraws his approval", "change", "withdraw", name);
        Assert.True(withdraw.Exit == 0, withdraw.ToString());
        Assert.Equal($"changeapproval.approvals.admission.dev/{name}: approval by bob withdrawn\n" +
                     "Now 1 of 2 approvals (alice); it still lacks: 1 of 2 approvals (alice), needs 1 more from someone other than carol. " +
                     "Deployment payments/checkout cannot be changed with it.\n", withdraw.Out);

        // The webhook learns of the withdrawal through its watch: wait for that with dry runs, which change nothing.
        var seen = await EventuallyAsync("carol", r => r.Exit != 0, "apply", "--dry-run=server", "-f", v241Debug);
        Assert.True(seen.Exit == 1, seen.ToString());
        var after = await As("carol", "the same kind of change is denied again", "apply", "-f", v241Debug);
        Assert.Equal(1, after.Exit);
        Contains("admission webhook \"workloads.approvals.admission.dev\" denied the request: namespace payments is Tier-1: UPDATE of Deployment payments/checkout " +
                 "needs a ChangeApproval approved by 2 people other than its requester.\n" +
                 $"- ChangeApproval {name}: 1 of 2 approvals (alice), needs 1 more from someone other than carol.\n" +
                 "Or request a new one: kubectl change request deployment/checkout -n payments --reason \"<why>\"", after.Err, after);

        var whyDenied = await As("carol", null, "change", "why", "deployment/checkout", "-f", v241Debug);
        Assert.Equal(1, whyDenied.Exit);
        Contains($"- ChangeApproval {name}: 1 of 2 approvals (alice), needs 1 more from someone other than carol.\n", whyDenied.Out, whyDenied);
    }

    [GeneratedRegex(@"^changeapproval\.approvals\.admission\.dev/(\S+) created\n")]
    private static partial Regex CreatedName();
}
