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
        if (request.Group == Model.ChangeApproval.Group && request.Resource == Model.ChangeApproval.Plural)
        {
            return ChangeApprovalRules.Decide(request, context);
        }
        // A Namespace's labels can change through its status and finalize subresources too.
        if (request.Group == CoreGroup && request.Resource == "namespaces" && request.SubResource is null or "status" or "finalize")
        {
            return NamespaceRules.Decide(request, context);
        }
        var kind = request.SubResource switch
        {
            null => context.Policy.GuardedKind(request.Group, request.Kind),
            "scale" => context.Policy.GuardedResource(request.Group, request.Resource),
            // status and other subresources are written by controllers; guarding them would stall rollouts.
            _ => null,
        };
        if (kind is null)
        {
            return Decision.Allow(DecisionCode.NotGuarded, $"{request.Kind} is not a guarded kind");
        }
        var digests = new ChangeDigests(request, context.Policy);
        if (Previews.IsPreview(request))
        {
            return Previews.Answer(request, kind, digests);
        }
        var decision = WorkloadRules.Decide(request, kind, context, digests);
        // Contract 2.4: every decision on a workload in a Tier-1 namespace carries its digest;
        // not-guarded is the one decision made outside them (or on a CONNECT, which has no object).
        return decision.Code == DecisionCode.NotGuarded || request.Operation == Operation.Connect
            ? decision
            : decision with { Digest = digests.Result };
    }
}
