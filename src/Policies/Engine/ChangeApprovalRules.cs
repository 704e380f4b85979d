using System.Text.Json;
using Admission.Policies.Model;

namespace Admission.Policies;

/// <summary>Contract section 3: ChangeApprovals cannot be forged, back-dated or edited after the fact.</summary>
public static class ChangeApprovalRules
{
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public static Decision Decide(AdmissionInput request, DecisionContext context) => request.Operation switch
    {
        Operation.Create => Create(request, context),
        Operation.Update => Update(request, context),
        _ => Decision.Allow(DecisionCode.NotGuarded, $"{request.Operation.ToWire()} of a ChangeApproval is always allowed"),
    };

    private static Decision Create(AdmissionInput request, DecisionContext context)
    {
        if (request.Object is not { } obj)
        {
            return Decision.Deny("ChangeApproval CREATE carries no object");
        }
        var errors = new List<InputError>();
        var approval = ChangeApprovalReader.Read(obj, errors, "ChangeApproval", request.Namespace);
        var problems = errors.Select(e => new ApprovalProblem(ApprovalRefusals.InvalidField, e.Field, $"{e.Field}: {e.Message}")).ToList();
        if (approval is not null)
        {
            var policy = context.Policy;
            var user = request.User.Username;
            var byOperator = context.OperatorUser is { Length: > 0 } op && user == op;
            if (approval.RequestedBy != user && !(byOperator && approval.Retrospective))
            {
                problems.Add(byOperator
                    ? new ApprovalProblem(ApprovalRefusals.RetrospectiveOnly, "spec.requestedBy", $"spec.requestedBy: the operator may name another requester (\"{approval.RequestedBy}\") only on a retrospective ChangeApproval (label {ChangeApproval.RetrospectiveLabel}: \"true\")")
                    : new ApprovalProblem(ApprovalRefusals.RequesterNotYou, "spec.requestedBy", $"spec.requestedBy: must be your own username \"{user}\", not \"{approval.RequestedBy}\""));
            }
            if (!Text.HasVisible(approval.Reason))
            {
                problems.Add(new ApprovalProblem(ApprovalRefusals.ReasonInvisible, "spec.reason", "spec.reason: must say why, in visible characters (white space and invisible characters alone are no reason)"));
            }
            if (approval.NotBefore is { } notBefore && notBefore - context.Now > policy.MaxValidity)
            {
                problems.Add(new ApprovalProblem(ApprovalRefusals.NotBeforeTooFar, "spec.notBefore", $"spec.notBefore: {WorkloadRules.Format(notBefore)} is more than maxValidity ({GoDuration.Format(policy.MaxValidity)}) after now; request it closer to the change"));
            }
            if (approval.Approvals.Count > 0)
            {
                problems.Add(new ApprovalProblem(ApprovalRefusals.ApprovalsAtCreation, "spec.approvals", "spec.approvals: must be empty when a ChangeApproval is created; approvers add their entries afterwards"));
            }
            if (approval.ExpiresAt <= context.Now)
            {
                problems.Add(new ApprovalProblem(ApprovalRefusals.ExpiresInPast, "spec.expiresAt", $"spec.expiresAt: {WorkloadRules.Format(approval.ExpiresAt)} is not in the future"));
            }
            if (approval.NotBefore is { } nb && approval.ExpiresAt <= nb)
            {
                problems.Add(new ApprovalProblem(ApprovalRefusals.ExpiresBeforeStart, "spec.expiresAt", $"spec.expiresAt: must be after spec.notBefore ({WorkloadRules.Format(nb)})"));
            }
            var from = approval.NotBefore is { } start && start > context.Now ? start : context.Now;
            if (approval.ExpiresAt - from > policy.MaxValidity)
            {
                problems.Add(new ApprovalProblem(ApprovalRefusals.ValidityTooLong, "spec.expiresAt", $"spec.expiresAt: is more than maxValidity ({GoDuration.Format(policy.MaxValidity)}) after {(from == context.Now ? "now" : "spec.notBefore")}"));
            }
            // The operator's review of a break-glass change binds what it knows (an exec session has
            // no change digest); it admits nothing, so the binding is a record, not a permission.
            if (policy.RequireExactChange && !(byOperator && approval.Retrospective))
            {
                if (approval.Change is null)
                {
                    problems.Add(new ApprovalProblem(ApprovalRefusals.ExactChangeRequired, "spec.change.digest", "spec.change.digest: is required (the policy's requireExactChange is true); create the request from the manifest with kubectl change request -f MANIFEST, which previews it and records the digest"));
                }
                else if (approval.Change.Base is null && approval.Operations is [Operation.Update])
                {
                    problems.Add(new ApprovalProblem(ApprovalRefusals.ChangeBaseRequired, "spec.change.base", "spec.change.base: is required for an approval that lists only UPDATE (the change digest of the live object); kubectl change request -f records it"));
                }
            }
            if (policy.TicketPattern is { } pattern && !MatchesTicket(pattern, approval.Ticket))
            {
                problems.Add(approval.Ticket is null
                    ? new ApprovalProblem(ApprovalRefusals.TicketRequired, "spec.ticket", $"spec.ticket: is required and must match {policy.TicketPatternText}")
                    : new ApprovalProblem(ApprovalRefusals.TicketMismatch, "spec.ticket", $"spec.ticket: \"{approval.Ticket}\" does not match {policy.TicketPatternText}"));
            }
        }
        return problems.Count == 0
            ? Decision.Allow(DecisionCode.NoApprovalNeeded, "ChangeApproval request is well formed")
            : Refused("created", problems);
    }

    // The pattern is NonBacktracking (PolicyParser): linear time, so no timeout can fire.
    private static bool MatchesTicket(System.Text.RegularExpressions.Regex pattern, string? ticket) =>
        ticket is not null && pattern.IsMatch(ticket);

    private static Decision Update(AdmissionInput request, DecisionContext context)
    {
        if (request.Object is not { ValueKind: JsonValueKind.Object } obj || request.OldObject is not { ValueKind: JsonValueKind.Object } oldObj)
        {
            return Decision.Deny("ChangeApproval UPDATE must carry the object and the old object");
        }
        if (Spec(obj) is not { } newSpec || Spec(oldObj) is not { } oldSpec)
        {
            return Refused("changed", [new ApprovalProblem(ApprovalRefusals.InvalidField, "spec", "spec must be an object in both the stored and the new ChangeApproval")]);
        }
        // The mark is a label, which the CRD's rules cannot see: kept here (and by the
        // ValidatingAdmissionPolicy) so that a break-glass review never turns into an approval.
        if (ChangeApprovalReader.IsRetrospective(Child(oldObj, "metadata")) != ChangeApprovalReader.IsRetrospective(Child(obj, "metadata")))
        {
            return Refused("changed", [new ApprovalProblem(ApprovalRefusals.RetrospectiveLabelChanged, "metadata.labels",
                $"the label {ChangeApproval.RetrospectiveLabel} cannot be added, removed or changed; a retrospective ChangeApproval stays one")]);
        }
        if (JsonElement.DeepEquals(newSpec, oldSpec))
        {
            return Decision.Allow(DecisionCode.NoApprovalNeeded, "spec unchanged");
        }
        if (!ObjectInspection.SameExcept(oldSpec, newSpec, n => n == "approvals", null))
        {
            return Refused("changed", [new ApprovalProblem(ApprovalRefusals.SpecChanged, "spec", "only spec.approvals may change; to change anything else in spec, create a new ChangeApproval")]);
        }
        var errors = new List<InputError>();
        var updated = ChangeApprovalReader.Read(obj, errors, "ChangeApproval", request.Namespace);
        var old = ChangeApprovalReader.Read(oldObj, [], "ChangeApproval", request.Namespace);
        if (updated is null || old is null)
        {
            var problems = errors.Select(e => new ApprovalProblem(ApprovalRefusals.InvalidField, e.Field, $"{e.Field}: {e.Message}")).ToList();
            if (old is null) problems.Add(new ApprovalProblem(ApprovalRefusals.StoredInvalid, "spec", "the stored ChangeApproval is not valid; create a new one"));
            return Refused("changed", problems);
        }
        var result = ApprovalsDiff(old.Approvals, updated.Approvals, request.User.Username);
        if (result.Problem is { } problem)
        {
            return Refused("changed", [problem]);
        }
        if (result.Added is not { } added)
        {
            return Decision.Allow(DecisionCode.NoApprovalNeeded, $"{request.User.Username} withdrew their approval");
        }
        var user = request.User.Username;
        var issues = new List<ApprovalProblem>();
        if (added.Approver != user)
        {
            issues.Add(new ApprovalProblem(ApprovalRefusals.ApproverNotYou, "spec.approvals", $"the new entry's approver must be your own username \"{user}\", not \"{added.Approver}\""));
        }
        // Persons, not strings: "Carol " and "cаrol" (Cyrillic а) are carol.
        if (PersonNames.Same(added.Approver, old.RequestedBy))
        {
            issues.Add(new ApprovalProblem(ApprovalRefusals.OwnRequest, "spec.approvals", added.Approver == old.RequestedBy
                ? $"{old.RequestedBy} requested this change and cannot approve it"
                : $"\"{added.Approver}\" names the same person as the requester \"{old.RequestedBy}\", who cannot approve it"));
        }
        if (old.Approvals.FirstOrDefault(e => PersonNames.Same(e.Approver, added.Approver)) is { } earlier)
        {
            issues.Add(new ApprovalProblem(ApprovalRefusals.AlreadyReviewed, "spec.approvals", earlier.Approver == added.Approver
                ? $"{added.Approver} has already approved it"
                : $"\"{added.Approver}\" names the same person as \"{earlier.Approver}\", who has already approved it"));
        }
        if (added.ApprovedAt is not { } at)
        {
            issues.Add(new ApprovalProblem(ApprovalRefusals.ApprovedAtMissing, "spec.approvals", "the new entry's approvedAt is required"));
        }
        else if ((at - context.Now).Duration() > ClockSkew)
        {
            issues.Add(new ApprovalProblem(ApprovalRefusals.ClockSkew, "spec.approvals", $"the new entry's approvedAt {WorkloadRules.Format(at)} is more than 5 minutes from the server's clock ({WorkloadRules.Format(context.Now)})"));
        }
        if (!request.User.InAnyGroup(context.Policy.ApproverGroups))
        {
            issues.Add(new ApprovalProblem(ApprovalRefusals.NotApprover, "spec.approvals", $"{user} is in none of the approver groups ({WorkloadRules.Join(context.Policy.ApproverGroups)})"));
        }
        if (context.Policy.ApproverVerb is { Length: > 0 } rbacVerb && context.ApproverVerb is { Allowed: false } answer)
        {
            issues.Add(new ApprovalProblem(ApprovalRefusals.ApproverVerbDenied, "spec.approvals", $"{user} may not {rbacVerb} changeapprovals.approvals.admission.dev in namespace {request.Namespace} (the policy's approverVerb)" +
                (string.IsNullOrEmpty(answer.Reason) ? "" : $": {answer.Reason}") + "; ask the platform team for a RoleBinding that grants it"));
        }
        // A break-glass review admits nothing, so its window does not close on the reviewers.
        if (context.Now >= old.ExpiresAt && !old.Retrospective)
        {
            issues.Add(new ApprovalProblem(ApprovalRefusals.Expired, "spec.expiresAt", $"it expired at {WorkloadRules.Format(old.ExpiresAt)} and can no longer be approved"));
        }
        var verb = added.Decision == EntryDecision.Reject ? "rejected" : "approved";
        return issues.Count == 0
            ? Decision.Allow(DecisionCode.NoApprovalNeeded, $"{user} {verb} ChangeApproval {old.Key}")
            : Refused(verb, issues);
    }

    /// <summary>
    /// Whether deciding <paramref name="request"/> needs the approverVerb answer: a ChangeApproval
    /// UPDATE that adds an entry while the policy sets approverVerb. Cheap, so the webhook asks
    /// kube-apiserver only then.
    /// </summary>
    public static bool NeedsApproverVerb(AdmissionInput request, AdmissionPolicy policy) =>
        policy.ApproverVerb.Length > 0 && request.Operation == Operation.Update &&
        request.Group == ChangeApproval.Group && request.Resource == ChangeApproval.Plural && request.SubResource is null &&
        Entries(request.Object) > Entries(request.OldObject);

    private static int Entries(JsonElement? obj) =>
        obj is { ValueKind: JsonValueKind.Object } o && Spec(o) is { } spec && spec.TryGetProperty("approvals", out var a) && a.ValueKind == JsonValueKind.Array
            ? a.GetArrayLength()
            : 0;

    /// <summary>
    /// Existing entries keep their content and order; only the caller's own entry may go; at most
    /// one entry is added, at the end.
    /// </summary>
    internal static (ApprovalEntry? Added, ApprovalProblem? Problem) ApprovalsDiff(IReadOnlyList<ApprovalEntry> old, IReadOnlyList<ApprovalEntry> updated, string user)
    {
        var j = 0;
        foreach (var entry in old)
        {
            if (j < updated.Count && updated[j] == entry)
            {
                j++;
                continue;
            }
            if (entry.Approver != user)
            {
                return (null, new ApprovalProblem(ApprovalRefusals.OthersEntry, "spec.approvals",
                    $"the approval by {entry.Approver} cannot be changed or removed by {user}; only your own entry may be withdrawn"));
            }
        }
        var extra = updated.Count - j;
        if (extra > 1)
        {
            return (null, new ApprovalProblem(ApprovalRefusals.TooManyAdded, "spec.approvals", "at most one approval can be added at a time, at the end of spec.approvals"));
        }
        return (extra == 1 ? updated[^1] : null, null);
    }

    private static JsonElement? Child(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) ? v : null;

    private static JsonElement? Spec(JsonElement obj) =>
        obj.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object ? spec : null;

    /// <summary>The denial: the words for people, and one cause per problem with its code for clients.</summary>
    private static Decision Refused(string verb, IReadOnlyList<ApprovalProblem> problems) =>
        Decision.Deny($"this ChangeApproval cannot be {verb}: " +
            (problems.Count == 1 ? problems[0].Message : "\n- " + string.Join("\n- ", problems.Select(p => p.Message)))) with
        {
            Causes = [.. problems.Select(p => new DenialCause("", p.Code, p.Message) { Field = p.Field })],
        };
}
