using Admission.Kubernetes;
namespace Admission.Plugin.Tests.Unit;

/// <summary>
/// 422 Invalid refusals from the CRD's CEL rules, recognised by the Status structure (reason,
/// causes' field and message) and explained in plain words.
/// </summary>
public class InvalidRefusalTests
{
    private static readonly RefusalContext Context = new("approve", "cart", "payments",
        new Identity("alice", ["tier1-approvers", "system:authenticated"]), null, DateTimeOffset.UnixEpoch, null);

    private static KubernetesApiException Invalid(params (string Field, string Type, string Message)[] causes) =>
        new(422, "Invalid", "ChangeApproval.approvals.admission.dev \"cart\" is invalid: ...", "cart",
            [.. causes.Select(c => new StatusCause("FieldValueInvalid", c.Field, $"Invalid value: \"{c.Type}\": {c.Message}"))]);

    public static TheoryData<string, string, string, string> Rows() => new()
    {
        { "spec.approvals", "object", InvalidRefusals.OwnRequest, "you (alice) requested this change yourself, and nobody may approve their own request; ask an approver to run `kubectl change approve cart -n payments`." },
        { "spec.approvals", "array", InvalidRefusals.Duplicate, "you (alice) have already approved it, and each approver counts once." },
        { "spec.approvals", "array", InvalidRefusals.OneAtATime, "someone else changed its approvals at the same moment; run the command again." },
        { "spec.approvals", "array", InvalidRefusals.Reordered, "someone else changed its approvals at the same moment; run the command again." },
        { "spec.approvals", "array", InvalidRefusals.EmptyAtCreation, "a new request cannot carry approvals; approvers add theirs with `kubectl change approve`." },
        { "spec.expiresAt", "object", InvalidRefusals.ExpiresBeforeStart, "it would expire before it starts; check --not-before and --expires-in." },
        { "spec.target", "object", "spec.target is immutable; create a new ChangeApproval", "a ChangeApproval cannot be edited after it was requested (only approvals may be added or withdrawn); request a new one instead." },
        { "spec.reason", "string", "some future rule", "spec.reason: some future rule." },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_rule_refusal_is_explained(string field, string type, string message, string sentence)
    {
        var causes = InvalidRefusals.Causes(Invalid((field, type, message)));

        Assert.NotNull(causes);
        Assert.Equal($"error: approving changeapproval cart in namespace payments was refused by the API server (the ChangeApproval's validation rules): {sentence} Nothing was changed.",
            InvalidRefusals.Explain(Context, causes));
    }

    [Fact]
    public void A_duplicate_is_the_one_cause_shown()
    {
        var causes = InvalidRefusals.Causes(Invalid(("spec.approvals", "array", InvalidRefusals.Duplicate), ("spec.approvals", "array", InvalidRefusals.Reordered)))!;

        Assert.EndsWith("validation rules): you (alice) have already approved it, and each approver counts once. Nothing was changed.", InvalidRefusals.Explain(Context, causes), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(403, "Forbidden")]
    [InlineData(422, "")]
    [InlineData(400, "Invalid")]
    public void Other_errors_are_not_rule_refusals(int code, string reason)
    {
        var e = new KubernetesApiException(code, reason, "x", "cart", [new StatusCause("FieldValueInvalid", "spec.approvals", "Invalid value: \"array\": " + InvalidRefusals.Duplicate)]);

        Assert.Null(InvalidRefusals.Causes(e));
    }

    [Fact]
    public void Every_explained_message_is_a_rule_message_of_the_crd()
    {
        // The words are matched exactly; a rule reworded in config/crd must be reworded here too.
        var crd = File.ReadAllText(Path.Combine(RepoPaths.Root, "config", "crd", "changeapprovals.approvals.admission.dev.yaml"));
        foreach (var message in typeof(InvalidRefusals).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetValue(null)!))
        {
            Assert.Contains($"message: {message}\n", crd, StringComparison.Ordinal);
        }
    }
}
