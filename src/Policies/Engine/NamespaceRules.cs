namespace Admission.Policies;

/// <summary>Contract section 4: a Tier-1 namespace cannot quietly stop being one.</summary>
public static class NamespaceRules
{
    public static Decision Decide(AdmissionInput request, DecisionContext context)
    {
        var policy = context.Policy;
        var name = request.Name;
        bool wasTier1;
        string change;
        switch (request.Operation)
        {
            case Operation.Update:
                wasTier1 = policy.IsTier1(name, ObjectInspection.Labels(request.OldObject ?? request.Object));
                if (!wasTier1 || policy.IsTier1(name, ObjectInspection.Labels(request.Object)))
                {
                    return Decision.Allow(DecisionCode.NotGuarded, $"namespace {name} keeps its tier");
                }
                change = $"this change would make namespace {name} no longer Tier-1 (it must match {policy.Tier1Selector})";
                break;
            case Operation.Delete:
                var labels = request.OldObject is { } old ? ObjectInspection.Labels(old) : context.Namespaces.Labels(name);
                if (!policy.IsTier1(name, labels))
                {
                    return Decision.Allow(DecisionCode.NotGuarded, $"namespace {name} is not Tier-1");
                }
                change = $"namespace {name} is Tier-1 and cannot be deleted";
                break;
            default:
                return Decision.Allow(DecisionCode.NotGuarded, $"{request.Operation.ToWire()} of a namespace is not guarded");
        }
        if (request.User.InAnyGroup(policy.PolicyAdminGroups))
        {
            return Decision.Allow(DecisionCode.Exempt, $"{request.User.Username} is a policy admin");
        }
        return Decision.Deny($"{change}; only members of {WorkloadRules.Join(policy.PolicyAdminGroups)} may do this");
    }
}
