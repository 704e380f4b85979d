namespace Admission.Plugin.Tests.EndToEnd;

/// <summary>
/// Every refusal the webhook can give an approver (contract section 3), through the real kubectl and
/// the plugin, asserting the one paragraph the plugin prints. Each test has its own ChangeApproval
/// for the Deployment payments/cart, so they do not depend on each other's order.
/// </summary>
[Collection(EndToEndGroup.Name)]
public sealed class RefusalTests(EndToEndCluster cluster) : TranscribedTests("refusals-" + Guid.NewGuid().ToString("N")[..6])
{
    private protected override EndToEndCluster Cluster => cluster;

    private async Task RequestAsync(string requester, string name)
    {
        var result = await As(requester, null, "change", "request", "deployment/cart", "--reason", "Roll out cart 1.1", "--name", name);
        Assert.True(result.Exit == 0, result.ToString());
    }

    private static void Refused(string expected, ProcessResult result)
    {
        Assert.True(result.Exit == 1, result.ToString());
        Assert.Equal("", result.Out);
        Assert.Equal(expected, result.Err);
    }

    private string[] Entries(string name) =>
        [.. (cluster.Server.Get("approvals.admission.dev", "changeapprovals", "payments", name)!["spec"]!["approvals"]?.AsArray() ?? [])
            .Select(e => e!["approver"]!.GetValue<string>())];

    [Fact]
    public async Task Own_request()
    {
        await RequestAsync("alice", "cart-own");
        var result = await As("alice", "alice may approve, but not her own request", "change", "approve", "cart-own");
        // The CRD's CEL rule refuses it inside the API server (422 Invalid) before the webhook is called.
        Refused("error: approving changeapproval cart-own in namespace payments was refused by the API server (the ChangeApproval's validation rules): " +
                "you (alice) requested this change yourself, " +
                "and nobody may approve their own request; ask an approver to run `kubectl change approve cart-own -n payments`. Nothing was changed.\n", result);
        Assert.Empty(Entries("cart-own"));
    }

    [Fact]
    public async Task Not_in_an_approver_group()
    {
        await RequestAsync("carol", "cart-dave");
        var result = await As("dave", "dave is a developer, not an approver", "change", "approve", "cart-dave");
        Refused("error: approving changeapproval cart-dave in namespace payments was refused by the admission webhook: you (dave) are not an approver: " +
                "only members of tier1-approvers may approve, and your groups are developers. Nothing was changed.\n", result);
        Assert.Empty(Entries("cart-dave"));
    }

    [Fact]
    public async Task Expired()
    {
        var expiredAt = DateTimeOffset.UtcNow.AddMinutes(-10);
        expiredAt = new DateTimeOffset(expiredAt.Ticks - expiredAt.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        cluster.SeedApproval("cart-expired", "cart", "carol", expiredAt);
        var result = await As("bob", "an approval whose window has closed", "change", "approve", "cart-expired");
        var at = expiredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Refused($"error: approving changeapproval cart-expired in namespace payments was refused by the admission webhook: it expired at {at} (10m ago) " +
                "and can no longer be approved; carol must request a new one. Nothing was changed.\n", result);
    }

    [Fact]
    public async Task Already_approved()
    {
        await RequestAsync("carol", "cart-twice");
        var first = await As("alice", null, "change", "approve", "cart-twice");
        Assert.True(first.Exit == 0, first.ToString());
        var result = await As("alice", "approving twice counts once", "change", "approve", "cart-twice");
        // The CRD's CEL rule (distinct approvers) refuses it inside the API server before the webhook is called.
        Refused("error: approving changeapproval cart-twice in namespace payments was refused by the API server (the ChangeApproval's validation rules): " +
                "you (alice) have already approved it, and each approver counts once. Nothing was changed.\n", result);
        Assert.Equal(["alice"], Entries("cart-twice"));
    }

    [Fact]
    public async Task Forged_entry()
    {
        await RequestAsync("carol", "cart-forged");
        var env = new Dictionary<string, string?> { ["KUBECTL_CHANGE_USER"] = "alice" };
        var result = await AsWith("bob", env, "bob's plugin is told he is alice (KUBECTL_CHANGE_USER=alice)", "change", "approve", "cart-forged");
        Refused("error: approving changeapproval cart-forged in namespace payments was refused by the admission webhook: the new entry names alice as the approver, " +
                "but that is not the username the API server knows you by, and an approval can only be added in your own name (KUBECTL_CHANGE_USER is set to \"alice\"; unset it). Nothing was changed.\n",
                result);
        Assert.Empty(Entries("cart-forged"));
    }

    [Fact]
    public async Task Forged_entry_with_plain_kubectl_shows_the_webhooks_words()
    {
        await RequestAsync("carol", "cart-patched");
        var now = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var patch = """[{"op":"add","path":"/spec/approvals/-","value":{"approver":"alice","approvedAt":"NOW"}}]""".Replace("NOW", now, StringComparison.Ordinal);
        var result = await As("bob", "bob edits the object himself, writing alice's name", "patch", "changeapproval", "cart-patched", "--type=json", "-p", patch);
        Assert.Equal(1, result.Exit);
        Assert.Contains("admission webhook \"changeapprovals.approvals.admission.dev\" denied the request: this ChangeApproval cannot be approved: " +
                        "the new entry's approver must be your own username \"bob\", not \"alice\"", result.Err, StringComparison.Ordinal);
        Assert.Empty(Entries("cart-patched"));
    }

    [Fact]
    public async Task Withdrawing_someone_elses_approval_with_plain_kubectl_is_refused()
    {
        await RequestAsync("carol", "cart-theirs");
        Assert.Equal(0, (await As("alice", null, "change", "approve", "cart-theirs")).Exit);
        var result = await As("bob", "bob tries to remove alice's approval", "patch", "changeapproval", "cart-theirs", "--type=json", "-p", """[{"op":"remove","path":"/spec/approvals/0"}]""");
        Assert.Equal(1, result.Exit);
        Assert.Contains("denied the request: this ChangeApproval cannot be changed: the approval by alice cannot be changed or removed by bob; only your own entry may be withdrawn",
            result.Err, StringComparison.Ordinal);
        Assert.Equal(["alice"], Entries("cart-theirs"));
    }

    [Fact]
    public async Task Request_in_someone_elses_name()
    {
        var env = new Dictionary<string, string?> { ["KUBECTL_CHANGE_USER"] = "alice" };
        var result = await AsWith("carol", env, "requests are made in your own name", "change", "request", "deployment/cart", "--reason", "r", "--name", "cart-as-alice");
        Refused("error: creating changeapproval cart-as-alice in namespace payments was refused by the admission webhook: the request names alice as requester, " +
                "but that is not the username the API server knows you by, and a change can only be requested in your own name (KUBECTL_CHANGE_USER is set to \"alice\"; unset it). Nothing was changed.\n",
                result);
        Assert.Null(cluster.Server.Get("approvals.admission.dev", "changeapprovals", "payments", "cart-as-alice"));
    }

    [Fact]
    public async Task Request_longer_than_max_validity()
    {
        var result = await As("carol", null, "change", "request", "deployment/cart", "--reason", "r", "--name", "cart-long", "--expires-in", "8d");
        Refused("error: creating changeapproval cart-long in namespace payments was refused by the admission webhook: it would stay valid for longer than the policy allows " +
                "(maxValidity 168h); use a shorter --expires-in. Nothing was changed.\n", result);
    }

    [Fact]
    public async Task Withdraw_without_an_approval()
    {
        await RequestAsync("carol", "cart-nothing");
        var result = await As("bob", null, "change", "withdraw", "cart-nothing");
        Refused("error: you (bob) have not approved changeapproval cart-nothing in namespace payments; there is nothing to withdraw.\n", result);
    }
}
