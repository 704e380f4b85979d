namespace Admission.Chart.Tests;

/// <summary>helm lint for every scenario; values.schema.json rejects bad values with useful text.</summary>
public class LintAndSchemaTests
{
    [Theory, EveryScenario]
    public void Helm_lint_passes_strictly(Scenario scenario)
    {
        var result = HelmRunner.Lint(RenderedChart.ValuesFiles(scenario));

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("1 chart(s) linted, 0 chart(s) failed", result.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("[WARNING]", result.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("[ERROR]", result.StdOut, StringComparison.Ordinal);
    }

    [Theory, EveryScenario]
    public void Helm_template_renders_without_warnings(Scenario scenario)
    {
        var result = RenderedChart.For(scenario).Result;

        Assert.Equal(0, result.ExitCode);
        Assert.True(string.IsNullOrWhiteSpace(result.StdErr), result.StdErr);
    }

    public static TheoryData<string> SchemaErrors => new()
    {
        "additional properties 'replicaCount' not allowed",
        "at '/certificates/mode': value must be one of 'self', 'cert-manager', 'provided'",
        "additional properties 'selfSigned' not allowed",
        "at '/webhook/timeoutSeconds': maximum: got 60, want 30",
        "at '/policy/requiredApprovals': minimum: got 1, want 2",
        "additional properties 'namespaceSelecter' not allowed",
    };

    [Theory]
    [MemberData(nameof(SchemaErrors))]
    public void The_schema_rejects_bad_values_naming_each_problem(string expected)
    {
        var template = HelmRunner.Template(Repo.ValuesFile("bad-values.yaml"));
        var lint = HelmRunner.Lint(Repo.ValuesFile("bad-values.yaml"));

        Assert.NotEqual(0, template.ExitCode);
        Assert.Contains("values don't meet the specifications of the schema", template.StdErr, StringComparison.Ordinal);
        Assert.Contains(expected, template.StdErr, StringComparison.Ordinal);
        Assert.NotEqual(0, lint.ExitCode);
        Assert.Contains(expected, lint.StdOut + lint.StdErr, StringComparison.Ordinal);
    }

    /// <summary>A --set the schema refuses on its own, and what helm's refusal says about it.</summary>
    public static TheoryData<string, string> SingleBadSettings => TextTable.TwoColumns("""
        replicas=0                                        at '/replicas': minimum: got 0, want 1
        logFormat=xml                                     at '/logFormat': value must be one of 'json', 'text'
        maxCacheStaleness=soon                            at '/maxCacheStaleness'
        policyReaders[0].kind=Role                        at '/policyReaders/0/kind'
        policy.workloadKinds={deployments}                at '/policy/workloadKinds/0'
        certificates.certManager.issuerRef.kind=Issuer    at '/certificates/certManager/issuerRef'
        """);

    [Theory]
    [MemberData(nameof(SingleBadSettings))]
    public void The_schema_rejects_single_bad_settings(string set, string expected)
    {
        Assert.Contains(expected, HelmRunner.RefusedSetting(set), StringComparison.Ordinal);
    }

    [Fact]
    public void The_schema_is_draft_07_and_strict_at_the_top_and_for_certificates_and_policy()
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.ChartDir, "values.schema.json")))!;

        Assert.Equal("http://json-schema.org/draft-07/schema#", schema["$schema"]!.GetValue<string>());
        Assert.False(schema["additionalProperties"]!.GetValue<bool>());
        foreach (var key in new[] { "certificates", "policy", "image", "webhook" })
        {
            Assert.False(schema["properties"]![key]!["additionalProperties"]!.GetValue<bool>(), key);
        }

        foreach (var mode in new[] { "self", "certManager", "provided" })
        {
            Assert.False(schema["properties"]!["certificates"]!["properties"]![mode]!["additionalProperties"]!.GetValue<bool>(), mode);
        }

        // Every top-level key of values.yaml is described by the schema.
        var values = YamlToJson.ParseSingle(File.ReadAllText(Path.Combine(Repo.ChartDir, "values.yaml")))!.AsObject();
        var described = schema["properties"]!.AsObject().Select(p => p.Key).ToHashSet();
        Assert.All(values.Select(p => p.Key), key => Assert.Contains(key, described));
    }

    [Fact]
    public void Chart_yaml_is_apiVersion_v2_with_appVersion_0_1_0()
    {
        var chart = YamlToJson.ParseSingle(File.ReadAllText(Path.Combine(Repo.ChartDir, "Chart.yaml")))!;

        Assert.Equal("v2", chart["apiVersion"]!.GetValue<string>());
        Assert.Equal("admission", chart["name"]!.GetValue<string>());
        Assert.Equal("0.1.0", chart["appVersion"]!.GetValue<string>());
    }

    [Fact]
    public void The_install_notes_explain_labelling_requesting_and_readiness()
    {
        var result = HelmRunner.Run(["install", HelmRunner.ReleaseName, Repo.ChartDir, "--namespace", HelmRunner.Namespace, "--dry-run=client"]);

        Assert.True(result.ExitCode == 0, result.Describe());
        var notes = result.StdOut[result.StdOut.IndexOf("NOTES:", StringComparison.Ordinal)..];
        Assert.Contains("kubectl label namespace NAMESPACE approvals.admission.dev/tier=1", notes, StringComparison.Ordinal);
        Assert.Contains("kubectl change request", notes, StringComparison.Ordinal);
        Assert.Contains("rollout status deployment/admission", notes, StringComparison.Ordinal);
        Assert.Contains("get validatingwebhookconfiguration admission", notes, StringComparison.Ordinal);
    }
}
