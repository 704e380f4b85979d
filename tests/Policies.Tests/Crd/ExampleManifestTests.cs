namespace Admission.Policies.Tests.Crd;

/// <summary>examples/policy.yaml and examples/namespace.yaml agree with the contract and each other.</summary>
public class ExampleManifestTests
{
    // Contract section 5: the keys of the policy file.
    private static readonly string[] PolicyKeys =
    [
        "apiVersion", "kind", "tier1", "workloadKinds", "requiredApprovals", "approverGroups", "breakGlassGroups",
        "policyAdminGroups", "exemptUsers", "exemptGroups", "trustedControllers", "interactiveAccess", "allowReplicaChanges",
        "allowRestarts", "requireExactChange", "approverVerb", "maxValidity", "ticketPattern",
    ];

    [Fact]
    public void Policy_sets_every_key_of_the_contract_and_no_other()
    {
        var policy = Load("policy.yaml");

        Assert.Equal(PolicyKeys.Order(StringComparer.Ordinal), policy.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["namespaceSelector", "namespaces"], policy["tier1"]!.AsObject().Select(p => p.Key));
        Assert.Equal("AdmissionPolicy", (string?)policy["kind"]);
    }

    [Theory]
    [InlineData("requiredApprovals", "2")]
    [InlineData("allowReplicaChanges", "true")]
    [InlineData("maxValidity", "\"168h\"")]
    [InlineData("ticketPattern", "\"\"")]
    [InlineData("workloadKinds", """["Pod","apps/ReplicaSet","apps/Deployment","apps/StatefulSet","apps/DaemonSet","batch/Job","batch/CronJob"]""")]
    [InlineData("interactiveAccess", "\"breakGlass\"")]
    [InlineData("allowRestarts", "true")]
    [InlineData("trustedControllers", """["system:kube-controller-manager","system:serviceaccount:kube-system:replicaset-controller","system:serviceaccount:kube-system:deployment-controller","system:serviceaccount:kube-system:statefulset-controller","system:serviceaccount:kube-system:daemon-set-controller","system:serviceaccount:kube-system:job-controller","system:serviceaccount:kube-system:cronjob-controller","system:serviceaccount:kube-system:generic-garbage-collector","system:serviceaccount:kube-system:namespace-controller","system:serviceaccount:kube-system:node-controller","system:serviceaccount:kube-system:pod-garbage-collector"]""")]
    [InlineData("approverGroups", """["tier1-approvers"]""")]
    [InlineData("breakGlassGroups", """["tier1-break-glass"]""")]
    [InlineData("policyAdminGroups", """["system:masters"]""")]
    [InlineData("exemptUsers", "[]")]
    [InlineData("exemptGroups", "[]")]
    public void Policy_values_are_the_defaults(string key, string json)
    {
        Assert.Equal(json, Load("policy.yaml")[key]?.ToJsonString());
    }

    [Fact]
    public void The_namespace_is_Tier1_under_the_example_policy_selector()
    {
        var selector = Load("policy.yaml")["tier1"]!["namespaceSelector"]!["matchLabels"]!.AsObject();
        var ns = Load("namespace.yaml");
        var labels = ns["metadata"]!["labels"]!.AsObject();

        Assert.Equal("Namespace", (string?)ns["kind"]);
        Assert.Equal((string?)Load("deployment.yaml")["metadata"]!["namespace"], (string?)ns["metadata"]!["name"]);
        Assert.NotEmpty(selector);
        Assert.All(selector, p => Assert.Equal((string?)p.Value, (string?)labels[p.Key]));
    }

    private static JsonObject Load(string file) => YamlToJson.LoadSingle(RepoPaths.Get("examples", file));
}
