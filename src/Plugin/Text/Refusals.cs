using Admission.Kubernetes;
using Admission.Plugin.Kube;
using Admission.Policies;
using Admission.Policies.Model;

namespace Admission.Plugin.Text;

/// <summary>
/// What the caller was doing when the webhook refused, to say it back in plain words. The policy
/// is the one the plugin loaded, when it is the webhook's (for the approver groups, maxValidity and
/// ticket pattern the paragraphs name); null when it is not known, and then those values are quoted
/// from the webhook's words for the cause.
/// </summary>
public sealed record RefusalContext(string Action, string Name, string Namespace, Identity Me, ChangeApproval? Approval, DateTimeOffset Now, string? UserOverride,
    AdmissionPolicy? Policy = null);

/// <summary>
/// Turns the admission webhook's refusals of ChangeApproval writes (contract section 3) into one
/// paragraph a person can act on. A refusal is recognised by structure: the reason code of each
/// cause in <c>status.details.causes</c> (<see cref="ApprovalRefusals"/>), never by its words, so
/// rewording a message on the server changes no decision here. A cause with a code this plugin
/// does not know, or a refusal without causes (an older webhook), is shown in the webhook's words.
/// </summary>
public static class Refusals
{
    /// <summary>kube-apiserver's own prefix for a webhook's denial (the words after it are the webhook's).</summary>
    private const string Marker = "denied the request: ";

    /// <summary>The webhook's message when the API server reports an admission webhook denial, else null.</summary>
    public static string? WebhookMessage(KubernetesApiException e)
    {
        if (!(e.IsBadRequest || e.IsForbidden || e.IsInvalid) || !e.Message.Contains("admission webhook", StringComparison.Ordinal)) return null;
        var i = e.Message.IndexOf(Marker, StringComparison.Ordinal);
        return i < 0 ? null : e.Message[(i + Marker.Length)..];
    }

    /// <summary>The paragraph for a webhook denial: one sentence per cause, by its code.</summary>
    public static string Explain(RefusalContext ctx, KubernetesApiException e)
    {
        var sentences = e.Causes.Count == 0
            ? [Period(WebhookMessage(e) ?? e.Message)]
            : e.Causes.Select(c => Sentence(ctx, c)).Distinct().ToList();
        var what = ctx.Action switch
        {
            "approve" => $"approving changeapproval {ctx.Name} in namespace {ctx.Namespace}",
            "reject" => $"rejecting changeapproval {ctx.Name} in namespace {ctx.Namespace}",
            "withdraw" => $"withdrawing your approval from changeapproval {ctx.Name} in namespace {ctx.Namespace}",
            _ => $"creating changeapproval {ctx.Name} in namespace {ctx.Namespace}",
        };
        return $"error: {what} was refused by the admission webhook: {string.Join(" ", sentences)} Nothing was changed.";
    }

    /// <summary>The sentence for one cause. Every code of <see cref="ApprovalRefusals"/> has one (a test checks).</summary>
    public static string Sentence(RefusalContext ctx, StatusCause cause)
    {
        var me = ctx.Me.Username;
        var policy = ctx.Policy;
        return cause.Reason switch
        {
            ApprovalRefusals.OwnRequest =>
                $"you ({me}) requested this change yourself, and nobody may approve their own request; " +
                $"ask an approver to run `kubectl change approve {ctx.Name} -n {ctx.Namespace}`.",
            ApprovalRefusals.NotApprover => NotApprover(ctx, cause),
            ApprovalRefusals.ApproverVerbDenied => policy?.ApproverVerb is { Length: > 0 } v
                ? $"you ({me}) may not '{v}' changeapprovals in namespace {ctx.Namespace}, which the policy's approverVerb requires of approvers; " +
                  "ask the platform team for a RoleBinding that grants it."
                : $"you ({me}) lack the permission the policy's approverVerb requires of approvers in namespace {ctx.Namespace} (the webhook says: {cause.Message}); " +
                  "ask the platform team for a RoleBinding that grants it.",
            ApprovalRefusals.Expired => Expired(ctx),
            ApprovalRefusals.AlreadyReviewed => $"you ({me}) have already approved it, and each approver counts once.",
            ApprovalRefusals.ApproverNotYou =>
                $"the new entry names {me} as the approver, but that is not the username the API server knows you by, " +
                $"and an approval can only be added in your own name{OverrideHint(ctx)}.",
            ApprovalRefusals.ClockSkew =>
                $"the approval time {Durations.Rfc3339(ctx.Now)} taken from this computer's clock is more than 5 minutes away from the API server's clock; " +
                "correct this computer's clock and try again.",
            ApprovalRefusals.ApprovedAtMissing => "the new entry has no approval time (approvedAt); approve with `kubectl change approve`, which sets it.",
            ApprovalRefusals.OthersEntry => "the write would change or remove an approval that is not yours, and only your own approval can be withdrawn.",
            ApprovalRefusals.TooManyAdded => "someone else changed its approvals at the same moment; run the command again.",
            ApprovalRefusals.SpecChanged =>
                "a ChangeApproval cannot be edited after it was requested (only approvals may be added or withdrawn); request a new one instead.",
            ApprovalRefusals.RequesterNotYou =>
                $"the request names {me} as requester, but that is not the username the API server knows you by, " +
                $"and a change can only be requested in your own name{OverrideHint(ctx)}.",
            ApprovalRefusals.RetrospectiveOnly =>
                "only a retrospective ChangeApproval (the review of a break-glass change, opened by the operator) may name another requester; " +
                "request your own change in your own name.",
            ApprovalRefusals.RetrospectiveLabelChanged =>
                "the retrospective label cannot be added, removed or changed: a break-glass review stays a review and never becomes an approval; " +
                "request a new ChangeApproval instead.",
            ApprovalRefusals.ReasonInvisible => "the reason has no visible characters; say why the change is needed with --reason.",
            ApprovalRefusals.NotBeforeTooFar =>
                $"it would start further ahead than the policy allows{MaxValidity(policy, cause)}; use a nearer --not-before.",
            ApprovalRefusals.ApprovalsAtCreation => "a new request cannot carry approvals; approvers add theirs with `kubectl change approve`.",
            ApprovalRefusals.ExpiresInPast => "it would already have expired when created; check --not-before and --expires-in.",
            ApprovalRefusals.ExpiresBeforeStart => "it would expire before it starts; check --not-before and --expires-in.",
            ApprovalRefusals.ValidityTooLong =>
                $"it would stay valid for longer than the policy allows{MaxValidity(policy, cause)}; use a shorter --expires-in.",
            ApprovalRefusals.ExactChangeRequired =>
                "the policy requires each approval to bind the exact change (requireExactChange): request it from the manifest you will apply, " +
                "with `kubectl change request KIND/NAME -f MANIFEST --reason …`, which previews it and records its digest.",
            ApprovalRefusals.ChangeBaseRequired =>
                "an approval for UPDATE only must record the digest of the live object it changes; request it with -f MANIFEST, which records it.",
            ApprovalRefusals.TicketRequired =>
                $"the policy requires a ticket{(policy is null ? $" (the webhook says: {cause.Message})" : policy.TicketPatternText is { } p ? $" matching {p}" : "")}; pass --ticket.",
            ApprovalRefusals.TicketMismatch =>
                $"the ticket does not match the policy's pattern{(policy is null ? $" (the webhook says: {cause.Message})" : policy.TicketPatternText is { } p2 ? $" {p2}" : "")}; pass a --ticket that does.",
            // InvalidField, StoredInvalid and codes newer than this plugin: the webhook's words name the field.
            _ => Period(cause.Message),
        };
    }

    private static string NotApprover(RefusalContext ctx, StatusCause cause)
    {
        var groups = ctx.Me.Groups.Where(g => !g.StartsWith("system:", StringComparison.Ordinal)).ToList();
        var yours = groups.Count == 0 ? "you are in none of them" : $"your groups are {string.Join(", ", groups)}";
        var approvers = ctx.Policy is { } policy
            ? string.Join(", ", policy.ApproverGroups.Order(StringComparer.Ordinal))
            : $"the policy's approver groups (the webhook says: {cause.Message})";
        return $"you ({ctx.Me.Username}) are not an approver: only members of {approvers} may approve, and {yours}.";
    }

    private static string Expired(RefusalContext ctx)
    {
        var requester = ctx.Approval?.RequestedBy ?? "the requester";
        if (ctx.Approval is not { } approval) return $"it has expired and can no longer be approved; {requester} must request a new one.";
        var at = Durations.Rfc3339(approval.ExpiresAt);
        return $"it expired at {at} ({Durations.Relative(approval.ExpiresAt, ctx.Now)}) and can no longer be approved; {requester} must request a new one.";
    }

    private static string MaxValidity(AdmissionPolicy? policy, StatusCause cause) =>
        policy is null ? $" (the webhook says: {cause.Message})" : $" (maxValidity {GoDuration.Format(policy.MaxValidity)})";

    private static string OverrideHint(RefusalContext ctx) =>
        ctx.UserOverride is { Length: > 0 } o ? $" (KUBECTL_CHANGE_USER is set to \"{o}\"; unset it)" : "";

    private static string Period(string text) => text.EndsWith('.') ? text : text + ".";
}
