namespace Admission.Chart.Tests;

/// <summary>The ValidatingWebhookConfiguration: one webhook per concern, failing closed, never
/// guarding the release namespace or kube-system.</summary>
public class WebhookTests
{
    private const string Workloads = "workloads.approvals.admission.dev";
    private const string ChangeApprovals = "changeapprovals.approvals.admission.dev";
    private const string Namespaces = "namespaces.approvals.admission.dev";
    private const string NameLabel = "kubernetes.io/metadata.name";

    public static TheoryData<Scenario, string> ScenariosAndWebhooks()
    {
        var data = new TheoryData<Scenario, string>();
        foreach (var scenario in Enum.GetValues<Scenario>())
        {
            foreach (var name in new[] { Workloads, ChangeApprovals, Namespaces })
            {
                data.Add(scenario, name);
            }
        }

        return data;
    }

    private static V1ValidatingWebhookConfiguration Configuration(Scenario scenario) =>
        RenderedChart.For(scenario).Single<V1ValidatingWebhookConfiguration>();

    private static V1ValidatingWebhook Webhook(Scenario scenario, string name) =>
        Assert.Single(Configuration(scenario).Webhooks, w => w.Name == name);

    [Theory, EveryScenario]
    public void There_are_exactly_three_webhooks(Scenario scenario)
    {
        var names = Configuration(scenario).Webhooks.Select(w => w.Name).ToArray();
        Assert.Equal([Workloads, ChangeApprovals, Namespaces], names);
    }

    [Theory]
    [MemberData(nameof(ScenariosAndWebhooks))]
    public void Every_webhook_fails_closed_with_no_side_effects(Scenario scenario, string name)
    {
        var webhook = Webhook(scenario, name);

        Assert.Equal("Fail", webhook.FailurePolicy);
        Assert.Equal("None", webhook.SideEffects);
        Assert.Equal("Equivalent", webhook.MatchPolicy);
        Assert.Equal(["v1"], webhook.AdmissionReviewVersions);
        Assert.Equal(scenario == Scenario.PolicyOverrides ? 3 : 5, webhook.TimeoutSeconds);
        Assert.InRange(webhook.TimeoutSeconds ?? 0, 1, 30);
    }

    [Theory]
    [MemberData(nameof(ScenariosAndWebhooks))]
    public void Every_webhook_calls_the_service_on_validate(Scenario scenario, string name)
    {
        var service = RenderedChart.For(scenario).Single<V1Service>();
        var clientConfig = Webhook(scenario, name).ClientConfig;

        Assert.Null(clientConfig.Url);
        Assert.Equal(service.Metadata.Name, clientConfig.Service.Name);
        Assert.Equal(HelmRunner.Namespace, clientConfig.Service.NamespaceProperty);
        Assert.Equal("/validate", clientConfig.Service.Path);
        Assert.Equal(443, clientConfig.Service.Port);
        Assert.Contains(service.Spec.Ports, p => p.Port == 443 && p.TargetPort.Value == "https");
    }

    [Theory]
    [MemberData(nameof(ScenariosAndWebhooks))]
    public void The_release_namespace_and_kube_system_are_never_sent_to_the_workload_and_namespace_webhooks(Scenario scenario, string name)
    {
        var selector = Webhook(scenario, name).NamespaceSelector;
        Assert.NotNull(selector);
        var excluded = Assert.Single(selector.MatchExpressions, e => e.Key == NameLabel);
        Assert.Equal("NotIn", excluded.OperatorProperty);

        // ChangeApprovals are guarded in every namespace but kube-system (the release namespace
        // included: approvals there must not be forged either).
        string[] expected = name == ChangeApprovals ? ["kube-system"] : [HelmRunner.Namespace, "kube-system"];
        Assert.Equal(expected.Order(), excluded.Values.Order());
        Assert.Null(Webhook(scenario, name).ObjectSelector);
    }

    [Theory]
    [InlineData(Scenario.Default)]
    [InlineData(Scenario.CertManager)]
    [InlineData(Scenario.Provided)]
    public void The_workload_webhook_matches_only_Tier1_namespaces_by_label(Scenario scenario)
    {
        var selector = Webhook(scenario, Workloads).NamespaceSelector;

        Assert.Equal(new Dictionary<string, string> { ["approvals.admission.dev/tier"] = "1" }, selector.MatchLabels);
        Assert.Single(selector.MatchExpressions);
    }

    [Fact]
    public void With_Tier1_namespaces_listed_by_name_the_workload_webhook_sees_every_namespace_but_the_excluded_ones()
    {
        // A label selector cannot say "labelled OR named", so the server decides (not-guarded).
        var selector = Webhook(Scenario.PolicyOverrides, Workloads).NamespaceSelector;

        Assert.True(selector.MatchLabels is null || selector.MatchLabels.Count == 0);
        var only = Assert.Single(selector.MatchExpressions);
        Assert.Equal(NameLabel, only.Key);
    }

    /// <summary>Each rule as "groups|resources|operations": exactly what contract 2.2 decides, nothing more.</summary>
    public static TheoryData<Scenario, string[]> ExpectedWorkloadRules => new()
    {
        {
            Scenario.Default,
            [
                "|pods|CREATE,UPDATE,DELETE",
                "|pods/ephemeralcontainers,pods/resize|UPDATE",
                "|pods/exec,pods/attach,pods/portforward|CONNECT",
                "apps|replicasets|CREATE,UPDATE,DELETE", "apps|replicasets/scale|UPDATE",
                "apps|deployments|CREATE,UPDATE,DELETE", "apps|deployments/scale|UPDATE",
                "apps|statefulsets|CREATE,UPDATE,DELETE", "apps|statefulsets/scale|UPDATE",
                "apps|daemonsets|CREATE,UPDATE,DELETE",
                "batch|jobs|CREATE,UPDATE,DELETE",
                "batch|cronjobs|CREATE,UPDATE,DELETE",
            ]
        },
        {
            Scenario.PolicyOverrides,
            [
                "apps|deployments|CREATE,UPDATE,DELETE", "apps|deployments/scale|UPDATE",
                "apps|statefulsets|CREATE,UPDATE,DELETE", "apps|statefulsets/scale|UPDATE",
                "|replicationcontrollers|CREATE,UPDATE,DELETE", "|replicationcontrollers/scale|UPDATE",
                "batch|cronjobs|CREATE,UPDATE,DELETE",
                "argoproj.io|rollouts|CREATE,UPDATE,DELETE", "argoproj.io|rollouts/scale|UPDATE",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(ExpectedWorkloadRules))]
    public void The_workload_webhook_has_exactly_the_rules_each_configured_kind_needs(Scenario scenario, string[] expected)
    {
        var rules = Webhook(scenario, Workloads).Rules;

        var actual = rules.Select(r => $"{string.Join(',', r.ApiGroups)}|{string.Join(',', r.Resources)}|{string.Join(',', r.Operations)}").ToArray();
        Assert.Equal(expected, actual);
        foreach (var rule in rules)
        {
            Assert.Equal(["*"], rule.ApiVersions);
            Assert.Equal("Namespaced", rule.Scope);
        }
    }

    /// <summary>What the chart must not send: status, eviction and binding change no code (contract 2.2).</summary>
    [Fact]
    public void Status_eviction_and_binding_are_not_sent()
    {
        var resources = Webhook(Scenario.Default, Workloads).Rules.SelectMany(r => r.Resources).ToArray();
        Assert.DoesNotContain(resources, r => r.EndsWith("/status", StringComparison.Ordinal) || r is "pods/eviction" or "pods/binding");
    }

    [Theory, EveryScenario]
    public void The_ChangeApproval_webhook_guards_every_write(Scenario scenario)
    {
        var rule = Assert.Single(Webhook(scenario, ChangeApprovals).Rules);

        Assert.Equal(["approvals.admission.dev"], rule.ApiGroups);
        Assert.Equal(["changeapprovals"], rule.Resources);
        Assert.Equal(["CREATE", "UPDATE", "DELETE"], rule.Operations);
        Assert.Equal("Namespaced", rule.Scope);
        Assert.Null(Webhook(scenario, ChangeApprovals).NamespaceSelector.MatchLabels);
    }

    [Theory, EveryScenario]
    public void The_namespace_webhook_guards_updates_and_deletes_of_namespaces(Scenario scenario)
    {
        var rule = Assert.Single(Webhook(scenario, Namespaces).Rules);

        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["namespaces", "namespaces/status", "namespaces/finalize"], rule.Resources);
        Assert.Equal(["UPDATE", "DELETE"], rule.Operations);
        Assert.Equal("Cluster", rule.Scope);
        // Not limited to Tier-1 labels: removing the label is exactly what must be seen.
        Assert.Null(Webhook(scenario, Namespaces).NamespaceSelector.MatchLabels);
    }

    [Fact]
    public void No_rule_uses_a_wildcard_resource_or_group()
    {
        foreach (var scenario in Enum.GetValues<Scenario>())
        {
            foreach (var rule in Configuration(scenario).Webhooks.SelectMany(w => w.Rules))
            {
                Assert.DoesNotContain("*", rule.ApiGroups);
                Assert.DoesNotContain(rule.Resources, r => r.Contains('*', StringComparison.Ordinal));
                Assert.DoesNotContain("*", rule.Operations);
            }
        }
    }
}
