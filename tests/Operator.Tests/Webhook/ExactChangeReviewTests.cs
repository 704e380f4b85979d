namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// Contract sections 2.4 and 2.5 over HTTPS against <c>admission serve</c>: a preview answers
/// with the digest; the real request with the same object is admitted by the exact-change
/// approval; one byte of content different is denied with the reason; the same manifest applied
/// twice is admitted once by the approval, then as needing no approval.
/// </summary>
[Collection(SharedWebhook.Name)]
public sealed class ExactChangeReviewTests(LocalWebhookFixture webhook)
{
    private const string Preview = "approvals.admission.dev/preview";
    private static readonly (string Digest, string Base) Exact = LocalWebhookFixture.ExactChange;

    private static Review Update() => Review.Example("deployment-update-denied").Named("exact");

    private static IEnumerable<(string Reason, string Field)> Causes(ReviewAnswer answer)
    {
        using var doc = JsonDocument.Parse(answer.Body);
        var status = doc.RootElement.GetProperty("response").GetProperty("status");
        if (!status.TryGetProperty("details", out var details)) return [];
        return [.. details.GetProperty("causes").EnumerateArray()
            .Select(c => (c.GetProperty("reason").GetString()!, c.TryGetProperty("field", out var f) ? f.GetString()! : ""))];
    }

    [Fact]
    public async Task A_preview_is_allowed_with_the_digest_warning_and_decision_preview()
    {
        var review = Update().DryRun();
        review.Annotate(review.Object, Preview, "true");

        var answer = await webhook.Client.ReviewAsync(review);

        Assert.True(answer.Allowed, answer.Body);
        Assert.Equal("preview", answer.Decision);
        Assert.Equal([$"change digest {Exact.Digest} base {Exact.Base}"], answer.Warnings);
        Assert.Equal(Exact.Digest, answer.AuditAnnotations["digest"]);
    }

    [Fact]
    public async Task A_preview_of_a_CREATE_has_no_base()
    {
        var review = Review.Example("deployment-create").Named("anything").DryRun();
        review.Annotate(review.Object, Preview, "true");

        var answer = await webhook.Client.ReviewAsync(review);

        Assert.Equal("preview", answer.Decision);
        Assert.Matches("^change digest sha256:[0-9a-f]{64}$", Assert.Single(answer.Warnings));
    }

    [Fact]
    public async Task The_annotation_without_dryRun_is_no_preview()
    {
        var review = Update().Named("ledger");
        review.Annotate(review.Object, Preview, "true");

        var answer = await webhook.Client.ReviewAsync(review);

        Assert.False(answer.Allowed);
        Assert.Equal("denied", answer.Decision);
    }

    [Fact]
    public async Task The_real_request_with_the_previewed_object_is_admitted_by_the_exact_approval()
    {
        var answer = await webhook.Client.ReviewAsync(Update());

        Assert.True(answer.Allowed, answer.Body);
        Assert.Equal("approved", answer.Decision);
        Assert.Equal("payments/exact-2-4-1", answer.Approval);
        Assert.Equal(Exact.Digest, answer.AuditAnnotations["digest"]);
    }

    [Fact]
    public async Task One_byte_of_content_different_is_denied_saying_the_result_differs()
    {
        var review = Update().Image("checkout", "registry.example.com/checkout:2.4.2");

        var answer = await webhook.Client.ReviewAsync(review);

        Assert.False(answer.Allowed);
        Assert.Equal(403, answer.Code);
        Assert.Contains("ChangeApproval exact-2-4-1: the result differs", answer.Message, StringComparison.Ordinal);
        Assert.Contains($"not the approved {Exact.Digest}", answer.Message, StringComparison.Ordinal);
        Assert.Contains(("ChangeDigestDiffers", "changeapprovals/exact-2-4-1"), Causes(answer));
        Assert.NotEqual(Exact.Digest, answer.AuditAnnotations["digest"]);
    }

    [Fact]
    public async Task The_same_manifest_applied_twice_is_admitted_once_by_the_approval_then_needs_none()
    {
        var first = await webhook.Client.ReviewAsync(Update());
        Assert.Equal("approved", first.Decision);

        // Now the live object is the approved result: applying the same manifest changes no content.
        var again = Update().Edit(r => r["oldObject"] = r["object"]!.DeepClone());
        var second = await webhook.Client.ReviewAsync(again);
        Assert.True(second.Allowed, second.Body);
        Assert.Equal("no-approval-needed", second.Decision);
        Assert.Null(second.Approval);

        // And the approval admits no further change from there: its base is gone.
        var further = Update().Edit(r => r["oldObject"] = r["object"]!.DeepClone()).Image("checkout", "registry.example.com/checkout:2.4.2");
        var third = await webhook.Client.ReviewAsync(further);
        Assert.False(third.Allowed);
        Assert.Contains(("ChangeBaseDiffers", "changeapprovals/exact-2-4-1"), Causes(third));
        Assert.Contains("the base differs", third.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Workloads_outside_Tier1_carry_no_digest()
    {
        var review = Update().Edit(r =>
        {
            r["namespace"] = "sandbox";
            r["object"]!["metadata"]!["namespace"] = "sandbox";
            r["oldObject"]!["metadata"]!["namespace"] = "sandbox";
        });

        var answer = await webhook.Client.ReviewAsync(review);

        Assert.Equal("not-guarded", answer.Decision);
        Assert.False(answer.AuditAnnotations.ContainsKey("digest"));
    }
}
