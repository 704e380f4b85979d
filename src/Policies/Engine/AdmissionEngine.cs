namespace Admission.Policies;

/// <summary>
/// The one entry point the webhook and <c>admission check</c> share: which rules apply to a
/// request, and what they decide.
/// </summary>
public static class AdmissionEngine
{
    public const string CoreGroup = "";

    public static Decision Decide(AdmissionInput request, DecisionContext context)
    {
        // A request that does not say consistently what it writes is never allowed (contract 2.1);
        // the webhook answers these with 400 before they get here.
        if (RequestConsistency.Problem(request, context.Policy) is { } problem)
        {
            return Decision.Deny($"the request is inconsistent: {problem}");
        }
        if (request.Group == Model.ChangeApproval.Group && request.Resource == Model.ChangeApproval.Plural)
        {
            return request.SubResource is null
                ? ChangeApprovalRules.Decide(request, context)
                : Decision.Allow(DecisionCode.NotGuarded, $"the {request.SubResource} of a ChangeApproval is written by the operator and never trusted");
        }
        // A Namespace's labels can change through its status and finalize subresources too.
        if (request.Group == CoreGroup && request.Resource == "namespaces" && request.SubResource is null or "status" or "finalize")
        {
            return NamespaceRules.Decide(request, context);
        }
        // Guarding keys on what is written (group and resource), never on the kind the request claims.
        if (context.Policy.GuardedResource(request.Group, request.Resource) is not { } kind)
        {
            return Decision.Allow(DecisionCode.NotGuarded, $"{Describe(request)} is not a guarded resource");
        }
        var subresource = Subresources.Classify(request, kind);
        switch (subresource)
        {
            case SubresourceClass.Interactive:
                return InteractiveRules.Decide(request, kind, context);
            case SubresourceClass.NotGuarded:
                return Decision.Allow(DecisionCode.NotGuarded, $"{Describe(request)} changes no code (contract 2.2)");
        }
        var workload = subresource == SubresourceClass.AsUpdate ? request with { Operation = Operation.Update } : request;
        var digests = new ChangeDigests(workload, context.Policy);
        if (Previews.IsPreview(workload))
        {
            return Previews.Answer(workload, kind, digests);
        }
        var decision = WorkloadRules.Decide(workload, kind, context, digests);
        // Contract 2.4: every decision on a workload in a Tier-1 namespace carries its digest;
        // not-guarded is the one decision made outside them.
        return decision.Code == DecisionCode.NotGuarded
            ? decision
            : decision with
            {
                Digest = digests.Result,
                // The retrospective review of a break-glass UPDATE binds the change whole, base included.
                Base = decision.Code == DecisionCode.BreakGlass ? digests.Base : decision.Base,
            };
    }

    /// <summary>Whether the request writes a guarded workload or one of its subresources (what the audit and freshness rules look at).</summary>
    public static bool IsWorkload(AdmissionInput request, AdmissionPolicy policy) =>
        policy.GuardedResource(request.Group, request.Resource) is { } kind && Subresources.Classify(request, kind) != SubresourceClass.NotGuarded;

    public static string Describe(AdmissionInput request) =>
        (request.Group.Length == 0 ? request.Resource : request.Resource + "." + request.Group) + (request.SubResource is null ? "" : "/" + request.SubResource);
}
