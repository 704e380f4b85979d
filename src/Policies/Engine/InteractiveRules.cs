namespace Admission.Policies;

/// <summary>
/// Contract 2.2: exec, attach, port-forward and ephemeral containers (<c>kubectl debug</c>) in a
/// Tier-1 namespace run code that no approval saw, so they follow <c>interactiveAccess</c>.
/// </summary>
public static class InteractiveRules
{
    public static Decision Decide(AdmissionInput request, WorkloadKind kind, DecisionContext context)
    {
        var policy = context.Policy;
        var ns = request.Namespace;
        if (!policy.IsTier1(ns, context.Namespaces.Labels(ns)))
        {
            return Decision.Allow(DecisionCode.NotGuarded, $"namespace {ns} is not Tier-1");
        }
        var user = request.User.Username;
        var what = $"{Verb(request)} {kind.Kind} {ns}/{request.Name}";
        if (policy.ExemptUsers.Contains(user) || request.User.InAnyGroup(policy.ExemptGroups))
        {
            return Decision.Allow(DecisionCode.Exempt, $"{user} is exempt from approval");
        }
        switch (policy.InteractiveAccess)
        {
            case InteractiveAccess.Allow:
                return Decision.Allow(DecisionCode.NoApprovalNeeded, "interactiveAccess is allow");
            case InteractiveAccess.BreakGlass when request.User.InAnyGroup(policy.BreakGlassGroups):
                var warning = $"BREAK-GLASS: {what} by {user}; this is audited and must be reviewed";
                return Decision.Allow(DecisionCode.BreakGlass, warning, [warning]);
            case InteractiveAccess.BreakGlass:
                return Decision.Deny($"namespace {ns} is Tier-1: {what} runs code no approval covered, so it is allowed only to " +
                    $"members of the break-glass groups ({WorkloadRules.Join(policy.BreakGlassGroups)}), audited; {user} is in none of them. " +
                    "To change what runs, roll out a change with an approved ChangeApproval instead.");
            default:
                return Decision.Deny($"namespace {ns} is Tier-1: {what} is not allowed (the policy's interactiveAccess is deny); " +
                    "roll out a change with an approved ChangeApproval instead.");
        }
    }

    private static string Verb(AdmissionInput request) => request.SubResource switch
    {
        "exec" => "exec into",
        "attach" => "attach to",
        "portforward" => "port-forward to",
        "ephemeralcontainers" => "adding an ephemeral container (kubectl debug) to",
        null => $"{request.Operation.ToWire()} of",
        var other => $"{other} of",
    };
}
