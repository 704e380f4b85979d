namespace Admission.Operator.Tests.Webhook;

/// <summary>Updates and deletes of the Tier-1 Namespace (contract section 4).</summary>
[Collection(SharedWebhook.Name)]
public sealed class NamespaceReviewTests(LocalWebhookFixture webhook)
{
    private static readonly string[] Admin = ["system:masters", "system:authenticated"];

    private static Review Delete(string user, params string[] groups) =>
        Review.Example("namespace-unlabel").As(user, groups).Edit(r =>
        {
            r["operation"] = "DELETE";
            r["object"] = null;
            r["options"] = new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "meta.k8s.io/v1", ["propagationPolicy"] = "Background" };
        });

    private static readonly Dictionary<string, ReviewCase> Cases = new()
    {
        ["removing the Tier-1 label"] = new(
            _ => Review.Example("namespace-unlabel"),
            false, "denied", MessageContains: ["this change would make namespace payments no longer Tier-1", "only members of system:masters may do this"]),
        ["removing the Tier-1 label as a policy admin"] = new(
            _ => Review.Example("namespace-unlabel").As("kubernetes-admin", Admin),
            true, "exempt"),
        ["changing the tier label's value"] = new(
            _ => Review.Example("namespace-unlabel").Edit(r => r["object"]!["metadata"]!["labels"]!["approvals.admission.dev/tier"] = "2"),
            false, "denied", MessageContains: ["no longer Tier-1"]),
        ["adding a label and keeping the tier"] = new(
            _ => Review.Example("namespace-unlabel").Edit(r =>
            {
                var kept = r["oldObject"]!.DeepClone();
                kept["metadata"]!["labels"]!["team"] = "payments";
                r["object"] = kept;
            }),
            true, "not-guarded"),
        ["deleting a Tier-1 namespace (object null, decided on oldObject)"] = new(
            _ => Delete("carol", "developers", "system:authenticated"),
            false, "denied", MessageContains: ["namespace payments is Tier-1 and cannot be deleted"]),
        ["deleting a Tier-1 namespace as a policy admin"] = new(
            _ => Delete("kubernetes-admin", Admin),
            true, "exempt"),
        ["deleting a namespace that is not Tier-1"] = new(
            _ => Delete("carol", "developers").Named("sandbox").Edit(r =>
            {
                r["namespace"] = "";
                r["oldObject"]!["metadata"]!["labels"] = new JsonObject { ["kubernetes.io/metadata.name"] = "sandbox" };
            }),
            true, "not-guarded"),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public Task Namespace_change_is_decided_and_answered_in_full(string name) => Cases[name].SendAndAssertAsync(webhook.Client);
}
