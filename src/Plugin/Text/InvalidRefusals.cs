using Admission.Kubernetes;
using Admission.Plugin.Kube;

namespace Admission.Plugin.Text;

/// <summary>
/// Refusals by the API server itself, before any webhook is called: the CRD's CEL rules (and its
/// schema) answer 422 Invalid with one Status cause per broken rule, naming the field and carrying
/// the rule's message (config/crd). They are recognised by that structure, the reason Invalid and
/// each cause's field and message, and said back in the same plain words as webhook refusals.
/// </summary>
public static class InvalidRefusals
{
    /// <summary>The CRD's rule messages this code explains; a test checks each is in config/crd.</summary>
    public const string OwnRequest = "the requester cannot approve their own change (an approver equals spec.requestedBy)";
    public const string Duplicate = "each approver may appear only once in spec.approvals";
    public const string OneAtATime = "at most one approval can be added per update";
    public const string Edited = "an existing approval cannot be changed, only removed";
    public const string NotAtEnd = "a new approval must be appended at the end of spec.approvals";
    public const string Reordered = "existing approvals cannot be reordered";
    public const string EmptyAtCreation = "spec.approvals must be empty when a ChangeApproval is created; approvers add their entries afterwards";
    public const string ExpiresBeforeStart = "spec.expiresAt must be after spec.notBefore";

    private const string InvalidValue = "Invalid value: \"";

    /// <summary>A rule's field and message, one per cause, when the API server refused the object as invalid; else null.</summary>
    public static IReadOnlyList<(string Field, string Detail)>? Causes(KubernetesApiException e) =>
        e.IsInvalid && e.Reason == "Invalid" && e.Causes.Count > 0
            ? [.. e.Causes.Select(c => (c.Field, Detail(c.Message)))]
            : null;

    /// <summary>
    /// The detail of a field error's message: apimachinery writes <c>Invalid value: "TYPE": DETAIL</c>
    /// for a failed rule, the value being the rule's node type as a JSON string.
    /// </summary>
    public static string Detail(string message)
    {
        if (!message.StartsWith(InvalidValue, StringComparison.Ordinal))
        {
            return message;
        }

        var close = message.IndexOf("\": ", InvalidValue.Length, StringComparison.Ordinal);
        return close < 0 ? message : message[(close + 3)..];
    }

    public static string Explain(RefusalContext ctx, IReadOnlyList<(string Field, string Detail)> causes)
    {
        // A duplicate entry also reads as a reordering to the order rule; the duplicate is the cause.
        var details = causes.Select(c => c.Detail).ToList();
        var shown = details.Contains(Duplicate) ? causes.Where(c => c.Detail == Duplicate) : causes;
        var sentences = shown.Select(c => Sentence(ctx, c.Field, c.Detail)).Distinct().ToList();
        var what = ctx.Action switch
        {
            "approve" => $"approving changeapproval {ctx.Name} in namespace {ctx.Namespace}",
            "withdraw" => $"withdrawing your approval from changeapproval {ctx.Name} in namespace {ctx.Namespace}",
            _ => $"creating changeapproval {ctx.Name} in namespace {ctx.Namespace}",
        };
        return $"error: {what} was refused by the API server (the ChangeApproval's validation rules): {string.Join(" ", sentences)} Nothing was changed.";
    }

    private static string Sentence(RefusalContext ctx, string field, string detail)
    {
        var me = ctx.Me.Username;
        return detail switch
        {
            OwnRequest => $"you ({me}) requested this change yourself, and nobody may approve their own request; " +
                          $"ask an approver to run `kubectl change approve {ctx.Name} -n {ctx.Namespace}`.",
            Duplicate => $"you ({me}) have already approved it, and each approver counts once.",
            OneAtATime or Edited or NotAtEnd or Reordered => "someone else changed its approvals at the same moment; run the command again.",
            EmptyAtCreation => "a new request cannot carry approvals; approvers add theirs with `kubectl change approve`.",
            ExpiresBeforeStart => "it would expire before it starts; check --not-before and --expires-in.",
            _ when detail.EndsWith(" is immutable", StringComparison.Ordinal) || detail.Contains(" is immutable;", StringComparison.Ordinal)
                || detail.Contains("cannot be added or removed after creation", StringComparison.Ordinal) =>
                "a ChangeApproval cannot be edited after it was requested (only approvals may be added or withdrawn); request a new one instead.",
            _ => field.Length > 0 ? $"{field}: {detail.TrimEnd('.')}." : $"{detail.TrimEnd('.')}.",
        };
    }
}
