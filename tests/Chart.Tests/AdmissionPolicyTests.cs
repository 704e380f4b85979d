namespace Admission.Chart.Tests;

/// <summary>
/// The ValidatingAdmissionPolicy and its binding: ChangeApproval writes checked inside
/// kube-apiserver with the requesting user, rendered from the policy's approver groups. What the
/// expressions decide is tested by evaluating them in tests/TestApiServer.Tests (AdmissionPolicyTests).
/// </summary>
public class AdmissionPolicyTests
{
    [Theory, EveryScenario]
    public void The_policy_guards_changeapproval_creates_and_updates_and_fails_closed(Scenario scenario)
    {
        var policy = RenderedChart.For(scenario).Single<V1ValidatingAdmissionPolicy>();

        Assert.Equal("Fail", policy.Spec.FailurePolicy);
        var rule = Assert.Single(policy.Spec.MatchConstraints.ResourceRules);
        Assert.Equal(["approvals.admission.dev"], rule.ApiGroups);
        Assert.Equal(["changeapprovals"], rule.Resources);
        Assert.Equal(["CREATE", "UPDATE"], rule.Operations);
        Assert.Null(policy.Spec.ParamKind);
        Assert.Equal(5, policy.Spec.Validations.Count);
        // Only the chart's own service account may open a retrospective ChangeApproval in another's name.
        Assert.Contains(policy.Spec.Validations, v => v.Expression.Contains("request.userInfo.username == 'system:serviceaccount:admission-system:admission' && variables.retrospective", StringComparison.Ordinal));
        Assert.All(policy.Spec.Validations, v => Assert.Equal("Forbidden", v.Reason));
    }

    [Theory, EveryScenario]
    public void The_binding_denies_with_the_policy(Scenario scenario)
    {
        var chart = RenderedChart.For(scenario);
        var policy = chart.Single<V1ValidatingAdmissionPolicy>();
        var binding = chart.Single<V1ValidatingAdmissionPolicyBinding>();

        Assert.Equal(policy.Metadata.Name, binding.Spec.PolicyName);
        Assert.Equal(["Deny"], binding.Spec.ValidationActions);
        Assert.Null(binding.Spec.ParamRef);
    }

    [Fact]
    public void Approver_groups_come_from_the_policy_values()
    {
        var result = HelmRunner.Run(["template", HelmRunner.ReleaseName, Repo.ChartDir, "--namespace", HelmRunner.Namespace,
            "--set", "policy.approverGroups={payments-leads,sre}"]);
        Assert.True(result.ExitCode == 0, result.Describe());
        var policy = RenderedChart.ReadAll(result.StdOut).Select(o => o.Model).OfType<V1ValidatingAdmissionPolicy>().Single();

        Assert.Equal("[\"payments-leads\",\"sre\"]", Assert.Single(policy.Spec.Variables, v => v.Name == "approverGroups").Expression);
        Assert.Contains(policy.Spec.Validations, v => v.Message == "only members of policy.approverGroups (payments-leads, sre) may add an entry to spec.approvals");
    }

    [Fact]
    public void The_chart_refuses_clusters_older_than_1_30()
    {
        // optionalOldSelf in the CRD and admissionregistration.k8s.io/v1 policies need 1.30.
        var old = HelmRunner.Run(["template", HelmRunner.ReleaseName, Repo.ChartDir, "--kube-version", "1.29.9"]);
        var floor = HelmRunner.Run(["template", HelmRunner.ReleaseName, Repo.ChartDir, "--kube-version", "1.30.0"]);

        Assert.NotEqual(0, old.ExitCode);
        Assert.Contains("kubeVersion", old.StdErr + old.StdOut, StringComparison.OrdinalIgnoreCase);
        Assert.True(floor.ExitCode == 0, floor.Describe());
    }
}
