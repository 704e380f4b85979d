namespace Admission.Policies.Tests.Rules;

/// <summary>Contract section 4: a Tier-1 namespace cannot quietly stop being one, or be deleted.</summary>
public class NamespaceRulesTests
{
    private static readonly UserInfo Admin = User("root", AdminGroup);
    private static readonly UserInfo Dev = Deployer;
    private static readonly Dictionary<string, string> Tier = new() { [AdmissionPolicy.TierLabel] = "1", ["team"] = "pay" };
    private static readonly Dictionary<string, string> NoTier = new() { ["team"] = "pay" };
    private static readonly Dictionary<string, string> TierTwo = new() { [AdmissionPolicy.TierLabel] = "2", ["team"] = "pay" };
    private static readonly Dictionary<string, string> TierMore = new() { [AdmissionPolicy.TierLabel] = "1", ["team"] = "pay", ["cost-center"] = "42" };
    private static readonly AdmissionPolicy Listed = Policy with { Tier1Namespaces = Set("ledger") };
    private static readonly AdmissionPolicy ProdSelector = Policy with
    {
        Tier1Selector = new(new Dictionary<string, string>(), [new LabelSelectorRequirement("env", "In", ["prod"])]),
    };

    public sealed record Case(AdmissionInput Request, DecisionCode Expected, AdmissionPolicy? Policy = null, INamespaceSource? Namespaces = null);

    private static Case Relabel(string ns, Dictionary<string, string> from, Dictionary<string, string> to, UserInfo user, DecisionCode expected, AdmissionPolicy? policy = null) =>
        new(Requests.Namespace(Operation.Update, ns, from, to, user), expected, policy);

    private static Case Delete(string ns, Dictionary<string, string>? labels, UserInfo user, DecisionCode expected, AdmissionPolicy? policy = null, INamespaceSource? namespaces = null) =>
        new(Requests.Namespace(Operation.Delete, ns, labels, null, user), expected, policy, namespaces);

    public static readonly Table<Case> Cases = new()
    {
        { "UPDATE removing the tier label: denied", Relabel(Tier1, Tier, NoTier, Dev, Denied) },
        { "UPDATE changing the tier label to 2: denied", Relabel(Tier1, Tier, TierTwo, Dev, Denied) },
        { "UPDATE removing the tier label by a policy admin: allowed as exempt", Relabel(Tier1, Tier, NoTier, Admin, DecisionCode.Exempt) },
        { "UPDATE removing the tier label by a member of a custom policyAdminGroups: allowed", Relabel(Tier1, Tier, NoTier, User("pat", "platform"), DecisionCode.Exempt, Policy with { PolicyAdminGroups = Set("platform") }) },
        { "UPDATE removing the tier label, system:masters no longer admin under a custom policyAdminGroups: denied", Relabel(Tier1, Tier, NoTier, Admin, Denied, Policy with { PolicyAdminGroups = Set("platform") }) },
        { "UPDATE keeping Tier-1 (labels added): allowed", Relabel(Tier1, Tier, TierMore, Dev, NotGuarded) },
        { "UPDATE keeping Tier-1 (other label removed): allowed", Relabel(Tier1, TierMore, Tier, Dev, NotGuarded) },
        { "UPDATE of a non-Tier-1 namespace: allowed", Relabel(Plain, NoTier, TierTwo, Dev, NotGuarded) },
        { "UPDATE making a namespace Tier-1: allowed", Relabel(Plain, NoTier, Tier, Dev, NotGuarded) },
        { "UPDATE removing the label of a namespace listed in tier1.namespaces: still Tier-1, allowed", Relabel("ledger", Tier, NoTier, Dev, NotGuarded, Listed) },
        { "UPDATE dropping a label a custom selector needs: denied", Relabel("shop", new() { ["env"] = "prod" }, new() { ["env"] = "dev" }, Dev, Denied, ProdSelector) },
        { "UPDATE removing the default tier label under a custom selector: allowed", Relabel("shop", Tier, NoTier, Dev, NotGuarded, ProdSelector) },
        { "DELETE of a Tier-1 namespace: denied", Delete(Tier1, Tier, Dev, Denied) },
        { "DELETE of a Tier-1 namespace by a policy admin: allowed as exempt", Delete(Tier1, Tier, Admin, DecisionCode.Exempt) },
        { "DELETE of a namespace listed in tier1.namespaces, without labels: denied", Delete("ledger", NoTier, Dev, Denied, Listed) },
        { "DELETE of a namespace listed in tier1.namespaces by a policy admin: allowed", Delete("ledger", NoTier, Admin, DecisionCode.Exempt, Listed) },
        { "DELETE of a non-Tier-1 namespace: allowed", Delete(Plain, NoTier, Dev, NotGuarded) },
        { "DELETE without the old object: the namespace's known labels decide (Tier-1): denied", Delete(Tier1, null, Dev, Denied) },
        { "DELETE without the old object: the namespace's known labels decide (plain): allowed", Delete(Plain, null, Dev, NotGuarded) },
        { "UPDATE through namespaces/status removing the tier label: denied", new(Requests.Namespace(Operation.Update, Tier1, Tier, NoTier, Dev) with { SubResource = "status" }, Denied) },
        { "UPDATE through namespaces/finalize removing the tier label: denied", new(Requests.Namespace(Operation.Update, Tier1, Tier, NoTier, Dev) with { SubResource = "finalize" }, Denied) },
        { "CREATE of a namespace: allowed", new(Requests.Namespace(Operation.Create, "new-one", null, Tier, Dev), NotGuarded) },
    };

    [Theory, RowsOf(nameof(Cases))]
    public void Rule(string name)
    {
        var c = Cases[name];

        var decision = AdmissionEngine.Decide(c.Request, Context(policy: c.Policy, namespaces: c.Namespaces));

        Assert.Equal(c.Expected, decision.Code);
        Assert.Equal(c.Expected != Denied, decision.Allowed);
        Assert.Null(decision.Approval);
        if (!decision.Allowed)
        {
            Assert.Contains(c.Request.Name, decision.Message, StringComparison.Ordinal);
            Assert.Contains("Tier-1", decision.Message, StringComparison.Ordinal);
            Assert.Contains(string.Join(", ", (c.Policy ?? Policy).PolicyAdminGroups), decision.Message, StringComparison.Ordinal);
        }
    }
}
