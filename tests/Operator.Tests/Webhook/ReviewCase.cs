namespace Admission.Operator.Tests.Webhook;

/// <summary>One row of a decision table: a request and everything its answer must show.</summary>
public sealed record ReviewCase(
    Func<DateTimeOffset, Review> Build,
    bool Allowed,
    string Decision,
    string? Approval = null,
    string[]? MessageContains = null,
    string? WarningContains = null)
{
    /// <summary>Builds the review as of now, sends it to the webhook and asserts the answer.</summary>
    public async Task SendAndAssertAsync(HttpClient webhook)
    {
        var review = Build(DateTimeOffset.UtcNow);
        AssertAnswer(review, await webhook.ReviewAsync(review));
    }

    /// <summary>Asserts every response field kube-apiserver reads.</summary>
    public void AssertAnswer(Review sent, ReviewAnswer answer)
    {
        Assert.Equal("application/json", answer.ContentType);
        Assert.Equal("admission.k8s.io/v1", answer.ApiVersion);
        Assert.Equal("AdmissionReview", answer.Kind);
        Assert.Equal(sent.Uid, answer.Uid);
        Assert.True(Allowed == answer.Allowed, $"expected allowed={Allowed}, got {answer.Body}");
        Assert.Equal(Decision, answer.Decision);
        // approval is audited when, and only when, the decision is "approved".
        Assert.Equal(Approval, answer.Approval);
        Assert.Equal(Approval is null ? ["decision"] : ["approval", "decision"], answer.AuditAnnotations.Keys.Where(k => k != "digest").Order(StringComparer.Ordinal));
        // digest: whenever the object is a workload in a Tier-1 namespace (ExactChangeReviewTests checks when).
        if (answer.AuditAnnotations.TryGetValue("digest", out var digest))
        {
            Assert.Matches("^sha256:[0-9a-f]{64}$", digest);
            Assert.NotEqual("not-guarded", Decision);
        }
        if (Allowed)
        {
            Assert.True(answer.Code is null or 200, $"an allowed answer carries no failure status: {answer.Body}");
        }
        else
        {
            Assert.Equal(403, answer.Code);
            Assert.False(string.IsNullOrWhiteSpace(answer.Message), "a denial explains itself");
        }
        foreach (var part in MessageContains ?? [])
        {
            Assert.True(answer.Message?.Contains(part, StringComparison.Ordinal) == true, $"message should contain \"{part}\": {answer.Message}");
        }
        if (WarningContains is null)
        {
            Assert.Empty(answer.Warnings);
        }
        else
        {
            Assert.Contains(answer.Warnings, w => w.Contains(WarningContains, StringComparison.Ordinal));
        }
    }
}
