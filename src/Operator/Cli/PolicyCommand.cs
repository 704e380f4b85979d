using System.CommandLine;
using Admission.Policies;

namespace Admission.Operator.Cli;

/// <summary>
/// <c>admission policy check FILE</c>: reads a policy as <c>serve</c> would and says what it
/// guards, so a policy change is checked before it is rolled out (exit 0, or 2 naming key and line).
/// </summary>
internal static class PolicyCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "Policy file (AdmissionPolicy YAML)" };
        var check = new Command("check", "Check a policy file alone, as serve reads it. Exit status: 0 valid, 2 an error (named with its key and line).") { file };
        check.SetAction(result =>
        {
            var path = result.GetValue(file)!;
            var policy = PolicyLoader.Load(path); // an InputException becomes exit 2 in Program
            Console.Out.WriteLine($"{path}: valid. {Summary(policy)}");
            return 0;
        });
        return new Command("policy", "Work with the policy file") { check };
    }

    /// <summary>What the policy means, in one line, so a reader sees at once what it guards.</summary>
    public static string Summary(AdmissionPolicy policy)
    {
        var tier1 = new List<string>();
        // An empty selector matches every namespace, which is what someone who writes one asks for.
        tier1.Add(policy.Tier1Selector.IsEmpty ? "every namespace" : $"namespaces labelled {policy.Tier1Selector}");
        if (policy.Tier1Namespaces.Count > 0) tier1.Add(string.Join(", ", policy.Tier1Namespaces.Order(StringComparer.Ordinal)));
        var kinds = policy.WorkloadKinds.Count == 0 ? "no kinds" : string.Join(", ", policy.WorkloadKinds);
        return $"Guards {kinds} in Tier-1 namespaces ({(tier1.Count == 0 ? "none" : string.Join("; and ", tier1))}); " +
               $"{policy.RequiredApprovals} approvals needed, valid for at most {GoDuration.Format(policy.MaxValidity)}.";
    }
}
