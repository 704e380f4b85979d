namespace Admission.Chart.Tests;

/// <summary>The policy ConfigMap: policy.yaml is exactly values.policy, with contract section 5's keys.</summary>
public class PolicyConfigMapTests
{
    private static JsonNode PolicyYaml(Scenario scenario)
    {
        var configMap = RenderedChart.For(scenario).Single<V1ConfigMap>();
        Assert.Equal("admission-policy", configMap.Metadata.Name);
        Assert.Equal(["policy.yaml"], configMap.Data.Keys);
        return YamlToJson.ParseSingle(configMap.Data["policy.yaml"]) ?? throw new InvalidOperationException("empty policy.yaml");
    }

    private static JsonNode ValuesPolicy(params string[] valuesFiles)
    {
        // Helm's own merge of values.yaml and the given files.
        var args = new List<string> { "show", "values", Repo.ChartDir };
        var defaults = HelmRunner.Run(args);
        Assert.True(defaults.ExitCode == 0, defaults.Describe());
        var merged = YamlToJson.ParseSingle(defaults.StdOut)!["policy"]!.DeepClone();
        foreach (var file in valuesFiles)
        {
            var overrides = YamlToJson.ParseSingle(File.ReadAllText(file))?["policy"];
            if (overrides is not null)
            {
                merged = Merge(merged, overrides);
            }
        }

        return merged;
    }

    /// <summary>Helm's rule: maps merge key by key, anything else (lists too) replaces.</summary>
    private static JsonNode Merge(JsonNode target, JsonNode overrides)
    {
        if (target is JsonObject t && overrides is JsonObject o)
        {
            var result = (JsonObject)t.DeepClone();
            foreach (var (key, value) in o)
            {
                result[key] = result[key] is { } existing && value is not null ? Merge(existing, value) : value?.DeepClone();
            }

            return result;
        }

        return overrides.DeepClone();
    }

    [Fact]
    public void The_values_policy_block_is_contract_section_5()
    {
        var contract = YamlToJson.ParseSingle(ContractPolicy.Defaults)!;

        Assert.True(JsonNode.DeepEquals(contract, ValuesPolicy()), $"values.policy: {ValuesPolicy().ToJsonString()}\ncontract: {contract.ToJsonString()}");
    }

    [Theory]
    [InlineData(Scenario.Default)]
    [InlineData(Scenario.CertManager)]
    [InlineData(Scenario.PolicyOverrides)]
    public void The_ConfigMaps_policy_yaml_equals_the_values(Scenario scenario)
    {
        var rendered = PolicyYaml(scenario);
        var expected = ValuesPolicy(RenderedChart.ValuesFiles(scenario));

        Assert.True(JsonNode.DeepEquals(expected, rendered), $"policy.yaml: {rendered.ToJsonString()}\nvalues: {expected.ToJsonString()}");
    }

    [Fact]
    public void The_default_policy_yaml_has_exactly_the_contracts_keys_and_types()
    {
        var policy = PolicyYaml(Scenario.Default).AsObject();

        Assert.Equal(
            new[]
            {
                "allowReplicaChanges", "allowRestarts", "apiVersion", "approverGroups", "approverVerb", "breakGlassGroups", "exemptGroups", "exemptUsers",
                "interactiveAccess", "kind", "maxValidity", "policyAdminGroups", "requireExactChange", "requiredApprovals", "ticketPattern", "tier1",
                "trustedControllers", "workloadKinds",
            },
            policy.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["namespaceSelector", "namespaces"], policy["tier1"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("approvals.admission.dev/v1alpha1", policy["apiVersion"]!.GetValue<string>());
        Assert.Equal("AdmissionPolicy", policy["kind"]!.GetValue<string>());
        Assert.Equal(2, policy["requiredApprovals"]!.GetValue<long>());
        Assert.True(policy["allowReplicaChanges"]!.GetValue<bool>());
        Assert.Equal("168h", policy["maxValidity"]!.GetValue<string>());
        Assert.Equal("", policy["ticketPattern"]!.GetValue<string>());
        // The label value stays the string "1" (a bare 1 would be a number).
        Assert.Equal("1", policy["tier1"]!["namespaceSelector"]!["matchLabels"]!["approvals.admission.dev/tier"]!.GetValue<string>());
        Assert.Equal("system:masters", policy["policyAdminGroups"]![0]!.GetValue<string>());
    }

    [Fact]
    public void Policy_overrides_reach_the_ConfigMap()
    {
        var policy = PolicyYaml(Scenario.PolicyOverrides);

        Assert.Equal(3, policy["requiredApprovals"]!.GetValue<long>());
        Assert.Equal("CHG-[0-9]+", policy["ticketPattern"]!.GetValue<string>());
        Assert.Equal(["payments", "ledger"], policy["tier1"]!["namespaces"]!.AsArray().Select(n => n!.GetValue<string>()));
        // Maps merge: the default selector is kept.
        Assert.Equal("1", policy["tier1"]!["namespaceSelector"]!["matchLabels"]!["approvals.admission.dev/tier"]!.GetValue<string>());
    }
}
