using System.Reflection;
using Admission.Kubernetes;

namespace Admission.Plugin.Tests.Unit;

/// <summary>
/// Webhook refusals are recognised by their reason codes (ApprovalRefusals), not their words: each
/// code has its own paragraph, and a webhook that words its messages differently changes nothing
/// the plugin decides or prints for a code it knows.
/// </summary>
public sealed class RefusalCodeTests
{
    private const string Sentinel = "WEBHOOK-WORDS";

    private static readonly RefusalContext Context = new("approve", "checkout-x", "payments", new Identity("dave", ["developers"]), null,
        new DateTimeOffset(2026, 3, 6, 9, 0, 0, TimeSpan.Zero), null, AdmissionPolicy.Default with { ApproverVerb = "approve" });

    /// <summary>Codes whose paragraph is the webhook's words on purpose: they name the field of a malformed object.</summary>
    private static readonly string[] ShownInWebhookWords = [ApprovalRefusals.InvalidField, ApprovalRefusals.StoredInvalid];

    private static readonly string[] AllCodes = [.. typeof(ApprovalRefusals).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)];

    public static TheoryData<string> Codes() => new(AllCodes);

    [Theory]
    [MemberData(nameof(Codes))]
    public void Every_code_renders_its_own_paragraph(string code)
    {
        var sentence = Refusals.Sentence(Context, new StatusCause(code, "spec", Sentinel));
        if (ShownInWebhookWords.Contains(code))
        {
            Assert.Equal(Sentinel + ".", sentence);
            return;
        }
        Assert.DoesNotContain(Sentinel, sentence, StringComparison.Ordinal);
        Assert.EndsWith(".", sentence, StringComparison.Ordinal);
        var others = AllCodes.Where(c => c != code && !ShownInWebhookWords.Contains(c))
            .Select(c => Refusals.Sentence(Context, new StatusCause(c, "spec", Sentinel)));
        // Two codes share words only when they ask for the same action (both mean "run it again").
        Assert.True(others.Count(o => o == sentence) <= 1, $"{code}: \"{sentence}\" is said for another code too");
    }

    [Fact]
    public void Without_the_webhooks_policy_the_values_are_quoted_from_its_words()
    {
        var unknown = Context with { Policy = null };
        foreach (var code in (string[])[ApprovalRefusals.NotApprover, ApprovalRefusals.ValidityTooLong, ApprovalRefusals.TicketRequired, ApprovalRefusals.TicketMismatch,
                     ApprovalRefusals.NotBeforeTooFar, ApprovalRefusals.ApproverVerbDenied])
        {
            Assert.Contains("(the webhook says: " + Sentinel + ")", Refusals.Sentence(unknown, new StatusCause(code, "spec", Sentinel)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_unknown_code_and_a_refusal_without_causes_are_shown_in_the_webhooks_words()
    {
        Assert.Equal("a rule added later.", Refusals.Sentence(Context, new StatusCause("SomethingNew", "spec", "a rule added later")));
        var bare = new KubernetesApiException(403, "Forbidden", "admission webhook \"w\" denied the request: this ChangeApproval cannot be approved: old words");
        Assert.Equal("error: approving changeapproval checkout-x in namespace payments was refused by the admission webhook: " +
                     "this ChangeApproval cannot be approved: old words. Nothing was changed.", Refusals.Explain(Context, bare));
    }

    [Theory]
    [InlineData("own request")]
    [InlineData("not an approver")]
    [InlineData("expired")]
    [InlineData("forged entry")]
    [InlineData("clock skew")]
    [InlineData("requester not you")]
    [InlineData("too long")]
    public async Task A_reworded_webhook_changes_no_decision_and_no_paragraph(string what)
    {
        var plain = await RunAsync(what, reword: false);
        var reworded = await RunAsync(what, reword: true);
        Assert.True(plain.Exit == 1, $"{what}: {plain}");
        Assert.Equal(plain.Exit, reworded.Exit);
        Assert.Equal(plain.Err, reworded.Err);
        Assert.Equal(plain.Out, reworded.Out);
        Assert.DoesNotContain("reworded", reworded.Err, StringComparison.Ordinal);
    }

    private static readonly DateTimeOffset Now = new(2026, 3, 6, 9, 0, 0, TimeSpan.Zero);

    /// <summary>One refusal, against the in-memory cluster guarded by the real engine; with <paramref name="reword"/> every webhook message is reworded.</summary>
    private static async Task<Run.Result> RunAsync(string what, bool reword)
    {
        var cluster = new FakeCluster(Now);
        cluster.AddTier1Namespace("payments");
        cluster.Put(new ApiResource("apps", "v1", "deployments"), "payments", new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "checkout" },
            ["spec"] = new System.Text.Json.Nodes.JsonObject(),
        });
        if (reword) cluster.RewordMessages = m => "reworded: " + string.Concat(m.Reverse());
        string[] request = ["request", "deployment/checkout", "--reason", "r", "--name", "checkout-x"];
        var alice = new Dictionary<string, string> { ["KUBECTL_CHANGE_USER"] = "alice" };
        switch (what)
        {
            case "requester not you": return await Run.RunAsync(cluster, "carol", alice, request);
            case "too long": return await Run.RunAsync(cluster, "carol", [.. request, "--expires-in", "8d"]);
        }
        var created = await Run.RunAsync(cluster, "carol", [.. request, "--expires-in", "1h"]);
        Assert.True(created.Exit == 0, created.ToString());
        switch (what)
        {
            case "own request": return await Run.RunAsync(cluster, "carol", "approve", "checkout-x");
            case "not an approver": return await Run.RunAsync(cluster, "dave", "approve", "checkout-x");
            case "expired":
                cluster.Clock.Advance(TimeSpan.FromMinutes(65));
                return await Run.RunAsync(cluster, "alice", "approve", "checkout-x");
            case "forged entry": return await Run.RunAsync(cluster, "bob", alice, "approve", "checkout-x");
            case "clock skew":
                cluster.ServerSkew = TimeSpan.FromMinutes(10);
                return await Run.RunAsync(cluster, "alice", "approve", "checkout-x");
            default: throw new ArgumentException(what);
        }
    }
}
