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
        return kind is null
            ? Decision.Allow(DecisionCode.NotGuarded, $"{request.Kind} is not a guarded kind")
            : WorkloadRules.Decide(request, kind, context);
    }
}
