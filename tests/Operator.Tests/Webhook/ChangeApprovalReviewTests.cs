namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// Writes to ChangeApprovals (contract section 3) as kube-apiserver sends them. The example
/// review is alice appending her approval to checkout-2-4-1; its window and times are moved
/// around the real clock because the server judges them against its own.
/// </summary>
[Collection(SharedWebhook.Name)]
public sealed class ChangeApprovalReviewTests(LocalWebhookFixture webhook)
{
    private static Review Approve(DateTimeOffset now, string user, string[] groups, params (string, DateTimeOffset)[] newEntries)
    {
        var r = Review.Example("changeapproval-approve").ApprovalWindow(now.AddHours(-1), now.AddHours(6)).As(user, groups);
        r.Object!["spec"]!["approvals"] = Review.Entries(newEntries);
        r.OldObject!["spec"]!["approvals"] = new JsonArray();
        return r;
    }

    /// <summary>carol creating checkout-2-4-1: the stored example before anyone approved it.</summary>
    private static Review Create(DateTimeOffset now, string user, Action<JsonObject>? edit = null)
    {
        var r = Review.Example("changeapproval-approve").ApprovalWindow(now.AddMinutes(-10), now.AddHours(6)).As(user, "developers", "system:authenticated");
        r.Edit(req =>
        {
            req["operation"] = "CREATE";
            var created = req["oldObject"]!.DeepClone().AsObject();
            created["metadata"]!.AsObject().Remove("resourceVersion");
            req["object"] = created;
            req["oldObject"] = null;
            req["options"] = new JsonObject { ["kind"] = "CreateOptions", ["apiVersion"] = "meta.k8s.io/v1", ["fieldManager"] = "kubectl-client-side-apply" };
            edit?.Invoke(created);
        });
        return r;
    }

    private static readonly string[] Approvers = ["tier1-approvers", "system:authenticated"];
    private static readonly string[] Developers = ["developers", "system:authenticated"];

    private static readonly Dictionary<string, ReviewCase> Cases = new()
    {
        ["CREATE by its requester"] = new(
            now => Create(now, "carol"),
            true, "no-approval-needed"),
        ["CREATE naming someone else as requester"] = new(
            now => Create(now, "dave"),
            false, "denied", MessageContains: ["spec.requestedBy: must be your own username \"dave\", not \"carol\""]),
        ["CREATE with approvals already filled in"] = new(
            now => Create(now, "carol", o => o["spec"]!["approvals"] = Review.Entries(("alice", now), ("bob", now))),
            false, "denied", MessageContains: ["spec.approvals: must be empty"]),
        ["CREATE valid for longer than maxValidity"] = new(
            now => Create(now, "carol", o => o["spec"]!["expiresAt"] = Review.Time(now.AddDays(30))),
            false, "denied", MessageContains: ["maxValidity (168h)"]),
        ["UPDATE: an approver appends their own approval"] = new(
            now => Approve(now, "alice", Approvers, ("alice", now)),
            true, "no-approval-needed"),
        ["UPDATE: a forged entry in someone else's name"] = new(
            now => Approve(now, "carol", Approvers, ("alice", now)),
            false, "denied", MessageContains: ["the new entry's approver must be your own username \"carol\", not \"alice\""]),
        ["UPDATE: the requester approving their own change"] = new(
            now => Approve(now, "carol", Approvers, ("carol", now)),
            false, "denied", MessageContains: ["carol requested this change and cannot approve it"]),
        ["UPDATE: a user outside the approver groups"] = new(
            now => Approve(now, "bob", Developers, ("bob", now)),
            false, "denied", MessageContains: ["bob is in none of the approver groups (tier1-approvers)"]),
        ["UPDATE: a back-dated approval"] = new(
            now => Approve(now, "alice", Approvers, ("alice", now.AddHours(-1))),
            false, "denied", MessageContains: ["is more than 5 minutes from the server's clock"]),
        ["UPDATE: two approvals added at once"] = new(
            now => Approve(now, "alice", Approvers, ("alice", now), ("bob", now)),
            false, "denied", MessageContains: ["at most one approval can be added at a time"]),
        ["UPDATE: the target changed"] = new(
            now => Approve(now, "alice", Approvers, ("alice", now)).Edit(r => r["object"]!["spec"]!["target"]!["name"] = "ledger"),
            false, "denied", MessageContains: ["only spec.approvals may change"]),
        ["UPDATE: labels only"] = new(
            now => Approve(now, "dave", Developers).Edit(r => r["object"]!["metadata"]!["labels"] = new JsonObject { ["team"] = "payments" }),
            true, "no-approval-needed"),
        ["DELETE"] = new(
            now => Approve(now, "carol", Developers).Edit(r =>
            {
                r["operation"] = "DELETE";
                r["object"] = null;
            }),
            true, "not-guarded"),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public Task ChangeApproval_write_is_decided_and_answered_in_full(string name) => Cases[name].SendAndAssertAsync(webhook.Client);

    [Fact]
    public async Task A_dry_run_approval_is_decided_like_the_real_one()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var user in new[] { "alice", "carol" })
        {
            var real = Approve(now, user, Approvers, (user, now));
            var dry = real.Clone().DryRun();
            var a = await webhook.Client.ReviewAsync(real);
            var b = await webhook.Client.ReviewAsync(dry);
            Assert.Equal(user == "alice", a.Allowed);
            Assert.Equal((a.Allowed, a.Code, a.Message, a.Decision), (b.Allowed, b.Code, b.Message, b.Decision));
        }
    }
}
