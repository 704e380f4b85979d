namespace Admission.Chart.Tests;

/// <summary>
/// Least privilege: the verbs per resource are pinned exactly. Adding a verb, a resource or a
/// wildcard fails here, so that each widening is a deliberate change with its comment in rbac.yaml.
/// </summary>
public class RbacTests
{
    // "group/resource[names]" -> verbs. "" is the core group; [*] means not restricted by name.
    private static readonly Dictionary<string, string[]> ServerClusterRoleSelf = new()
    {
        ["approvals.admission.dev/changeapprovals[*]"] = ["create", "get", "list", "patch", "watch"],
        ["approvals.admission.dev/changeapprovals/status[*]"] = ["update"],
        ["/namespaces[*]"] = ["get", "list", "watch"],
        ["/events[*]"] = ["create"],
        ["admissionregistration.k8s.io/validatingwebhookconfigurations[admission]"] = ["get", "update"],
    };

    /// <summary>The status operator reads each guarded workload kind by name (get only), to see an approved change applied.</summary>
    private static IEnumerable<KeyValuePair<string, string[]>> WorkloadReads(Scenario scenario) =>
        (scenario == Scenario.PolicyOverrides
            ? (string[])["apps/deployments", "apps/statefulsets", "/replicationcontrollers", "batch/cronjobs", "argoproj.io/rollouts"]
            : ["/pods", "apps/replicasets", "apps/deployments", "apps/statefulsets", "apps/daemonsets", "batch/jobs", "batch/cronjobs"])
        .Select(r => KeyValuePair.Create(r + "[*]", (string[])["get"]));

    private static readonly Dictionary<string, string[]> ServerClusterRoleFiles =
        ServerClusterRoleSelf.Where(p => !p.Key.Contains("validatingwebhookconfigurations", StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Value);

    private static readonly Dictionary<string, string[]> ServerRoleSelf = new()
    {
        ["coordination.k8s.io/leases[admission-leader]"] = ["get", "update"],
        ["coordination.k8s.io/leases[*]"] = ["create"],
        ["/secrets[admission-tls]"] = ["get", "list", "update", "watch"],
        ["/secrets[*]"] = ["create"],
    };

    private static readonly Dictionary<string, string[]> ServerRoleFiles =
        ServerRoleSelf.Where(p => !p.Key.Contains("secrets", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value);

    private static readonly Dictionary<string, string[]> Requester = new()
    {
        ["approvals.admission.dev/changeapprovals[*]"] = ["create", "get", "list", "watch"],
    };

    private static readonly Dictionary<string, string[]> Approver = new()
    {
        ["approvals.admission.dev/changeapprovals[*]"] = ["get", "list", "patch", "update", "watch"],
    };

    private static readonly Dictionary<string, string[]> PolicyReader = new()
    {
        ["/configmaps[admission-policy]"] = ["get"],
    };

    /// <summary>Flattens rules into "group/resource[names]" -> sorted verbs, merging duplicates.</summary>
    private static Dictionary<string, string[]> Flatten(IEnumerable<V1PolicyRule> rules)
    {
        var result = new Dictionary<string, SortedSet<string>>();
        foreach (var rule in rules)
        {
            Assert.True(rule.NonResourceURLs is null || rule.NonResourceURLs.Count == 0, "no non-resource URLs");
            var names = rule.ResourceNames is { Count: > 0 } n ? string.Join(',', n.Order()) : "*";
            foreach (var group in rule.ApiGroups)
            {
                foreach (var resource in rule.Resources)
                {
                    var key = $"{group}/{resource}[{names}]";
                    if (!result.TryGetValue(key, out var verbs))
                    {
                        result[key] = verbs = new SortedSet<string>(StringComparer.Ordinal);
                    }

                    verbs.UnionWith(rule.Verbs);
                }
            }
        }

        return result.ToDictionary(p => p.Key, p => p.Value.ToArray());
    }

    internal static void AssertExactly(Dictionary<string, string[]> expected, IEnumerable<V1PolicyRule> rules, string what)
    {
        var actual = Flatten(rules);
        var problems = new List<string>();
        foreach (var (key, verbs) in actual)
        {
            if (!expected.TryGetValue(key, out var want))
            {
                problems.Add($"{what}: unexpected rule {key} [{string.Join(',', verbs)}]");
            }
            else if (!want.Order(StringComparer.Ordinal).SequenceEqual(verbs))
            {
                problems.Add($"{what}: {key} has verbs [{string.Join(',', verbs)}], expected [{string.Join(',', want.Order(StringComparer.Ordinal))}]");
            }
        }

        problems.AddRange(expected.Keys.Except(actual.Keys).Select(k => $"{what}: missing rule {k}"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary><see cref="AssertExactly(Dictionary{string, string[]}, IEnumerable{V1PolicyRule}, string)"/> for one ClusterRole, named by its own name.</summary>
    internal static void AssertExactly(Dictionary<string, string[]> expected, V1ClusterRole role) =>
        AssertExactly(expected, role.Rules, $"ClusterRole {role.Metadata.Name}");

    /// <summary><see cref="AssertExactly(Dictionary{string, string[]}, IEnumerable{V1PolicyRule}, string)"/> for one Role, named by its own name.</summary>
    internal static void AssertExactly(Dictionary<string, string[]> expected, V1Role role) =>
        AssertExactly(expected, role.Rules, $"Role {role.Metadata.Name}");

    [Theory, EveryScenario]
    public void The_servers_ClusterRole_has_exactly_the_verbs_the_code_uses(Scenario scenario)
    {
        var role = RenderedChart.For(scenario).Single<V1ClusterRole>("admission");
        var expected = new Dictionary<string, string[]>(
            (RenderedChart.CertificateMode(scenario) == "self" ? ServerClusterRoleSelf : ServerClusterRoleFiles).Concat(WorkloadReads(scenario)));

        AssertExactly(expected, role);
        Assert.Null(role.AggregationRule);
    }

    [Theory, EveryScenario]
    public void The_servers_Role_has_exactly_the_verbs_the_code_uses(Scenario scenario)
    {
        var role = RenderedChart.For(scenario).Single<V1Role>("admission");
        var expected = RenderedChart.CertificateMode(scenario) == "self" ? ServerRoleSelf : ServerRoleFiles;

        Assert.Equal(HelmRunner.Namespace, role.Metadata.NamespaceProperty);
        AssertExactly(expected, role);
    }

    [Theory, EveryScenario]
    public void The_people_roles_have_exactly_their_verbs(Scenario scenario)
    {
        var chart = RenderedChart.For(scenario);
        var requester = chart.Single<V1ClusterRole>("admission-requester");
        var approver = chart.Single<V1ClusterRole>("admission-approver");

        AssertExactly(Requester, requester);
        AssertExactly(Approver, approver);
        Assert.Equal("true", requester.Metadata.Labels["rbac.authorization.k8s.io/aggregate-to-edit"]);
        Assert.DoesNotContain(approver.Metadata.Labels.Keys, k => k.StartsWith("rbac.authorization.k8s.io/aggregate-to-", StringComparison.Ordinal));
    }

    [Theory, EveryScenario]
    public void Everyone_authenticated_may_get_the_policy_ConfigMap_and_nothing_else_by_default(Scenario scenario)
    {
        var chart = RenderedChart.For(scenario);
        var role = chart.Single<V1Role>("admission-policy-reader");

        AssertExactly(PolicyReader, role);
        Assert.Equal(chart.Single<V1ConfigMap>("admission-policy").Metadata.Name, Assert.Single(Assert.Single(role.Rules).ResourceNames));
        var binding = chart.Single<V1RoleBinding>("admission-policy-readers");
        Assert.Equal((HelmRunner.Namespace, HelmRunner.Namespace), (role.Metadata.NamespaceProperty, binding.Metadata.NamespaceProperty));
        Assert.Equal(("Role", "admission-policy-reader"), (binding.RoleRef.Kind, binding.RoleRef.Name));
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("Group", "system:authenticated"), (subject.Kind, subject.Name));
    }

    // values file, the subjects bound to the policy reader (none: no Role, no binding).
    [Theory]
    [InlineData("policy-readers.yaml", new[] { "Group/developers", "Group/tier1-approvers" })]
    [InlineData("no-policy-readers.yaml", new string[0])]
    public void PolicyReaders_chooses_who_may_read_the_policy(string values, string[] subjects)
    {
        var result = HelmRunner.Template(Repo.ValuesFile(values));
        Assert.True(result.ExitCode == 0, result.Describe());
        var objects = RenderedChart.ReadAll(result.StdOut).Select(o => o.Model).ToList();
        var role = objects.OfType<V1Role>().SingleOrDefault(r => r.Metadata.Name == "admission-policy-reader");
        var binding = objects.OfType<V1RoleBinding>().SingleOrDefault(r => r.Metadata.Name == "admission-policy-readers");

        Assert.Equal(subjects.Length > 0, role is not null);
        Assert.Equal(subjects, binding?.Subjects.Select(s => $"{s.Kind}/{s.Name}") ?? []);
    }

    [Theory, EveryScenario]
    public void No_role_grants_a_wildcard_or_escalation_verb(Scenario scenario)
    {
        var chart = RenderedChart.For(scenario);
        var rules = chart.All<V1ClusterRole>().SelectMany(r => r.Rules).Concat(chart.All<V1Role>().SelectMany(r => r.Rules));
        foreach (var rule in rules)
        {
            Assert.DoesNotContain("*", rule.Verbs);
            Assert.DoesNotContain("*", rule.ApiGroups);
            Assert.DoesNotContain("*", rule.Resources);
            Assert.DoesNotContain(rule.Verbs, v => v is "escalate" or "bind" or "impersonate" or "deletecollection" or "delete");
        }

        Assert.Equal(3, chart.All<V1ClusterRole>().Count());
        Assert.Equal(["admission", "admission-policy-reader"], chart.All<V1Role>().Select(r => r.Metadata.Name).Order(StringComparer.Ordinal));
    }

    [Theory, EveryScenario]
    public void The_bindings_give_the_servers_roles_to_its_service_account_only(Scenario scenario)
    {
        var chart = RenderedChart.For(scenario);
        var account = chart.Single<V1ServiceAccount>();
        var deployment = chart.Single<V1Deployment>();
        var clusterBinding = chart.Single<V1ClusterRoleBinding>();
        var binding = chart.Single<V1RoleBinding>("admission");

        Assert.Equal(account.Metadata.Name, deployment.Spec.Template.Spec.ServiceAccountName);
        Assert.Equal(("ClusterRole", "admission"), (clusterBinding.RoleRef.Kind, clusterBinding.RoleRef.Name));
        Assert.Equal(("Role", "admission"), (binding.RoleRef.Kind, binding.RoleRef.Name));
        foreach (var subjects in new[] { clusterBinding.Subjects, binding.Subjects })
        {
            var subject = Assert.Single(subjects);
            Assert.Equal(("ServiceAccount", account.Metadata.Name, HelmRunner.Namespace), (subject.Kind, subject.Name, subject.NamespaceProperty));
        }
    }

    [Theory, EveryScenario]
    public void Every_server_rule_says_which_code_path_needs_it(Scenario scenario)
    {
        // Each rule in templates/rbac.yaml is preceded by a comment line.
        var rendered = RenderedChart.For(scenario).Objects.Where(o => o.Source.EndsWith("templates/rbac.yaml", StringComparison.Ordinal));
        Assert.NotEmpty(rendered);
        var text = File.ReadAllLines(Path.Combine(Repo.ChartDir, "templates", "rbac.yaml"));
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i].StartsWith("- apiGroups:", StringComparison.Ordinal))
            {
                Assert.True(i > 0 && text[i - 1].TrimStart().StartsWith('#'), $"rbac.yaml line {i + 1}: rule without a comment above it");
            }
        }
    }
}

/// <summary>policy.approverVerb (contract section 3): only when set does the chart widen RBAC, and then exactly so.</summary>
public class ApproverVerbRbacTests
{
    private static IReadOnlyList<RenderedObject> Render()
    {
        var result = HelmRunner.Template(Repo.ValuesFile("approver-verb.yaml"));
        Assert.True(result.ExitCode == 0, result.Describe());
        return RenderedChart.ReadAll(result.StdOut);
    }

    [Fact]
    public void The_webhook_may_create_SubjectAccessReviews_and_approvers_get_the_verb()
    {
        var objects = Render();
        var server = objects.Select(o => o.Model).OfType<V1ClusterRole>().Single(r => r.Metadata.Name == "admission");
        Assert.Contains(server.Rules, r => r.ApiGroups.SequenceEqual(["authorization.k8s.io"]) && r.Resources.SequenceEqual(["subjectaccessreviews"]) && r.Verbs.SequenceEqual(["create"]));
        var approver = objects.Select(o => o.Model).OfType<V1ClusterRole>().Single(r => r.Metadata.Name == "admission-approver");
        Assert.Contains("approve", approver.Rules.Single().Verbs);
        var policy = objects.Select(o => o.Model).OfType<V1ConfigMap>().Single();
        Assert.Contains("approverVerb: approve", policy.Data.Values.Single(), StringComparison.Ordinal);
    }
}
