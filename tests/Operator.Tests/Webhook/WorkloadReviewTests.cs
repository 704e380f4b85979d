namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// Workload requests in every shape kube-apiserver sends, over real HTTPS to the real process
/// (see <see cref="LocalWebhookFixture"/> for the approvals in force).
/// </summary>
[Collection(SharedWebhook.Name)]
public sealed class WorkloadReviewTests(LocalWebhookFixture webhook)
{
    private const string BreakGlass = "approvals.admission.dev/break-glass";
    private const string Tier1 = "namespace payments is Tier-1";

    private static readonly Dictionary<string, ReviewCase> Cases = new()
    {
        ["CREATE covered by a valid approval"] = new(
            _ => Review.Example("deployment-create"),
            true, "approved", "payments/checkout-2-4-1"),
        ["CREATE whose approval has one of two approvals"] = new(
            _ => Review.Example("deployment-create").Named("ledger"),
            false, "denied", MessageContains: [Tier1, "ChangeApproval ledger-3-0: 1 of 2 approvals (alice), needs 1 more from someone other than carol"]),
        ["CREATE with no approval at all"] = new(
            _ => Review.Example("deployment-create").Named("billing"),
            false, "denied", MessageContains: [Tier1, "No ChangeApproval in payments targets Deployment billing", "kubectl change request deployment/billing -n payments"]),
        ["CREATE outside a Tier-1 namespace"] = new(
            _ => Review.Example("deployment-create").Named("billing").Edit(r =>
            {
                r["namespace"] = "sandbox";
                r["object"]!["metadata"]!["namespace"] = "sandbox";
            }),
            true, "not-guarded"),
        ["UPDATE with oldObject covered by a valid approval"] = new(
            _ => Review.Example("deployment-update-denied"),
            true, "approved", "payments/checkout-2-4-1"),
        ["UPDATE to an image the approval does not list"] = new(
            _ => Review.Example("deployment-update-denied").Image("checkout", "registry.example.com/checkout:2.5.0"),
            false, "denied", MessageContains: [Tier1, "ChangeApproval checkout-2-4-1: image registry.example.com/checkout:2.5.0 is not approved"]),
        ["UPDATE of labels only needs no approval"] = new(
            _ => Review.Example("deployment-update-denied").Named("billing").Edit(r =>
            {
                var changed = r["oldObject"]!.DeepClone();
                changed["metadata"]!["labels"]!["team"] = "payments";
                r["object"] = changed;
            }),
            true, "no-approval-needed"),
        ["UPDATE of spec.replicas only needs no approval"] = new(
            _ => Review.Example("deployment-update-denied").Named("billing").Edit(r =>
            {
                var changed = r["oldObject"]!.DeepClone();
                changed["spec"]!["replicas"] = 7;
                r["object"] = changed;
            }),
            true, "no-approval-needed"),
        ["DELETE is decided on oldObject: approval does not list DELETE"] = new(
            _ => Review.Example("deployment-delete"),
            false, "denied", MessageContains: [Tier1, "DELETE of Deployment payments/checkout", "ChangeApproval checkout-2-4-1: does not cover DELETE (covers CREATE, UPDATE)", "--operation DELETE"]),
        ["DELETE covered by an approval that lists DELETE"] = new(
            _ => Review.Example("deployment-delete").Named("retired"),
            true, "approved", "payments/retired-delete"),
        ["DELETE with break-glass on oldObject"] = new(
            _ =>
            {
                var r = Review.Example("deployment-delete").Named("billing").As("dave", "tier1-break-glass", "system:authenticated");
                return r.Annotate(r.OldObject, BreakGlass, "INC-9001 roll back now");
            },
            true, "break-glass", WarningContains: "BREAK-GLASS: DELETE of Deployment payments/billing by dave without approval (reason: \"INC-9001 roll back now\")"),
        ["scale subresource changes only replicas"] = new(
            _ => Review.Example("deployment-scale").Named("billing"),
            true, "no-approval-needed"),
        ["scale subresource of a kind that is not guarded"] = new(
            _ => Review.Example("deployment-scale").Named("billing").Edit(r => { r["resource"]!["group"] = "example.com"; r["resource"]!["resource"] = "widgets"; }),
            true, "not-guarded"),
        ["status subresource is not guarded"] = new(
            _ => Review.Example("deployment-update-denied").Named("billing").Edit(r => r["subResource"] = "status"),
            true, "not-guarded"),
        ["dry run covered by a valid approval"] = new(
            _ => Review.Example("deployment-update-dryrun"),
            true, "approved", "payments/checkout-2-4-1"),
        ["dry run denied like the real request, with the reasons as warnings"] = new(
            _ => Review.Example("deployment-update-dryrun").Named("ledger"),
            false, "denied", MessageContains: [Tier1, "1 of 2 approvals (alice)"], WarningContains: "ChangeApproval payments/ledger-3-0: 1 of 2 approvals (alice)"),
        ["userInfo groups and extra: an exempt group"] = new(
            _ => Review.Example("deployment-update-denied").Named("billing")
                .As("system:serviceaccount:flux-system:kustomize-controller", "system:serviceaccounts", "system:serviceaccounts:flux-system", LocalWebhookFixture.ExemptGroup, "system:authenticated")
                .WithExtra("authentication.kubernetes.io/pod-name", "kustomize-controller-7d9f")
                .WithExtra("authentication.kubernetes.io/pod-uid", "5b1c1a0e-4f44-4f0d-9d7e-0d4a1d9b8c11"),
            true, "exempt"),
        ["userInfo groups and extra: break-glass group with a reason"] = new(
            _ =>
            {
                var r = Review.Example("deployment-update-denied").Named("billing")
                    .As("dave", "oncall", "tier1-break-glass", "system:authenticated")
                    .WithExtra("iam.gke.io/user-assertion", "REDACTED");
                return r.Annotate(r.Object, BreakGlass, "INC-9002 checkout down");
            },
            true, "break-glass", WarningContains: "BREAK-GLASS: UPDATE of Deployment payments/billing by dave"),
        ["break-glass annotation without the group is ignored"] = new(
            _ =>
            {
                var r = Review.Example("deployment-update-denied").Named("billing").WithExtra("scopes", "openid");
                return r.Annotate(r.Object, BreakGlass, "I am in a hurry");
            },
            false, "denied", MessageContains: [Tier1, "The break-glass annotation was ignored: carol is in none of the break-glass groups (tier1-break-glass)"]),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public Task Workload_request_is_decided_and_answered_in_full(string name) => Cases[name].SendAndAssertAsync(webhook.Client);

    [Theory]
    [InlineData("checkout")]
    [InlineData("ledger")]
    [InlineData("billing")]
    public async Task A_dry_run_is_decided_exactly_like_the_real_request(string name)
    {
        var dry = Review.Example("deployment-update-dryrun").Named(name);
        Assert.True((bool)dry.Request["dryRun"]!);
        var real = dry.Clone().DryRun(false);

        var dryAnswer = await webhook.Client.ReviewAsync(dry);
        var realAnswer = await webhook.Client.ReviewAsync(real);

        Assert.Equal(dry.Uid, dryAnswer.Uid);
        Assert.Equal(real.Uid, realAnswer.Uid);
        Assert.NotEqual(dry.Uid, real.Uid);
        Assert.Equal(realAnswer.Allowed, dryAnswer.Allowed);
        Assert.Equal(realAnswer.Code, dryAnswer.Code);
        Assert.Equal(realAnswer.Message, dryAnswer.Message);
        Assert.Equal(realAnswer.AuditAnnotations, dryAnswer.AuditAnnotations);
    }

    [Fact]
    public async Task Concurrent_requests_each_get_their_own_answer()
    {
        var reviews = Enumerable.Range(0, 40)
            .Select(i => i % 2 == 0 ? Review.Example("deployment-create") : Review.Example("deployment-create").Named("ledger"))
            .ToList();
        var answers = await Task.WhenAll(reviews.Select(r => webhook.Client.ReviewAsync(r)));
        for (var i = 0; i < reviews.Count; i++)
        {
            Assert.Equal(reviews[i].Uid, answers[i].Uid);
            Assert.Equal(i % 2 == 0, answers[i].Allowed);
        }
    }
}
