namespace Admission.Chart.Tests;

/// <summary>
/// Issue 14: the pre-delete hook that takes the gate down on `helm uninstall` so that no
/// ChangeApproval is left on the audit finalizer. Its RBAC is pinned exactly, like the server's.
/// </summary>
public class UninstallHookTests
{
    private const string Name = "admission-uninstall";

    private static readonly Dictionary<string, string[]> ClusterRole = new()
    {
        ["admissionregistration.k8s.io/validatingwebhookconfigurations[admission]"] = ["delete"],
        ["approvals.admission.dev/changeapprovals[*]"] = ["get", "list", "patch"],
    };

    private static readonly Dictionary<string, string[]> Role = new()
    {
        ["apps/deployments[admission]"] = ["get"],
        ["apps/deployments/scale[admission]"] = ["patch"],
        ["/pods[*]"] = ["list"],
    };

    private static T Hook<T>(RenderedChart chart, string name = Name)
        where T : class
    {
        var found = chart.Hooks.Where(o => o.Model is T && o.Name == name).Select(o => (T)o.Model).ToList();
        Assert.True(found.Count == 1, $"{chart.Scenario}: expected one hook {typeof(T).Name} {name}, found {found.Count}");
        return found[0];
    }

    private static V1Job Job(Scenario scenario) => Hook<V1Job>(RenderedChart.For(scenario));

    [Theory, EveryScenario]
    public void The_hook_is_a_pre_delete_Job_with_its_own_account_and_roles_created_before_it(Scenario scenario)
    {
        var hooks = RenderedChart.For(scenario).Hooks;
        Assert.Equal(
            ["ClusterRole", "ClusterRoleBinding", "Job", "Role", "RoleBinding", "ServiceAccount"],
            hooks.Select(h => h.Kind).Order(StringComparer.Ordinal));
        var weights = new Dictionary<string, int>();
        foreach (var hook in hooks)
        {
            Assert.Equal(Name, hook.Name);
            Assert.Equal("pre-delete", hook.Annotation("helm.sh/hook"));
            Assert.Equal("before-hook-creation,hook-succeeded", hook.Annotation("helm.sh/hook-delete-policy"));
            Assert.Equal("admission", hook.Json["metadata"]!["labels"]!["app.kubernetes.io/name"]!.GetValue<string>());
            string[] clusterScoped = ["ClusterRole", "ClusterRoleBinding"];
            Assert.True(clusterScoped.Contains(hook.Kind) ? hook.Namespace is null : hook.Namespace == HelmRunner.Namespace, $"{hook}: namespace '{hook.Namespace}'");
            weights[hook.Kind] = int.Parse(hook.Annotation("helm.sh/hook-weight")!, System.Globalization.CultureInfo.InvariantCulture);
        }
        // Helm creates hooks of one phase in weight order: account and roles, then bindings, then the Job.
        Assert.True(weights["ServiceAccount"] < weights["Job"] && weights["ClusterRole"] < weights["ClusterRoleBinding"] && weights["Role"] < weights["RoleBinding"]);
        Assert.True(weights["ClusterRoleBinding"] < weights["Job"] && weights["RoleBinding"] < weights["Job"]);
    }

    [Theory, EveryScenario]
    public void Its_roles_have_exactly_the_verbs_admission_uninstall_uses(Scenario scenario)
    {
        var chart = RenderedChart.For(scenario);
        RbacTests.AssertExactly(ClusterRole, Hook<V1ClusterRole>(chart));
        RbacTests.AssertExactly(Role, Hook<V1Role>(chart));
        Assert.Null(Hook<V1ClusterRole>(chart).AggregationRule);
        // Delete is granted for the chart's own webhook configuration only, by name.
        var delete = Assert.Single(Hook<V1ClusterRole>(chart).Rules, r => r.Verbs.Contains("delete"));
        Assert.Equal([chart.Single<V1ValidatingWebhookConfiguration>().Metadata.Name], delete.ResourceNames);
        Assert.Equal([chart.Single<V1Deployment>().Metadata.Name], Hook<V1Role>(chart).Rules.Where(r => r.ApiGroups.Contains("apps")).SelectMany(r => r.ResourceNames).Distinct());
    }

    [Theory, EveryScenario]
    public void The_bindings_give_its_roles_to_its_own_account_only(Scenario scenario)
    {
        var chart = RenderedChart.For(scenario);
        var clusterBinding = Hook<V1ClusterRoleBinding>(chart);
        var binding = Hook<V1RoleBinding>(chart);
        Assert.Equal(("ClusterRole", Name), (clusterBinding.RoleRef.Kind, clusterBinding.RoleRef.Name));
        Assert.Equal(("Role", Name), (binding.RoleRef.Kind, binding.RoleRef.Name));
        foreach (var subjects in new[] { clusterBinding.Subjects, binding.Subjects })
        {
            var subject = Assert.Single(subjects);
            Assert.Equal(("ServiceAccount", Name, HelmRunner.Namespace), (subject.Kind, subject.Name, subject.NamespaceProperty));
        }
        Assert.Equal(Name, Job(scenario).Spec.Template.Spec.ServiceAccountName);
    }

    [Theory, EveryScenario]
    public void The_Job_runs_admission_uninstall_with_the_chart_image_and_names(Scenario scenario)
    {
        var chart = RenderedChart.For(scenario);
        var job = Job(scenario);
        var container = Assert.Single(job.Spec.Template.Spec.Containers);
        var server = Assert.Single(chart.Single<V1Deployment>().Spec.Template.Spec.Containers);
        Assert.Equal(server.Image, container.Image);
        Assert.Null(container.Command);
        Assert.Equal(
            ["uninstall", "--namespace", HelmRunner.Namespace, "--webhook-configuration", chart.Single<V1ValidatingWebhookConfiguration>().Metadata.Name,
             "--deployment", chart.Single<V1Deployment>().Metadata.Name, "--timeout", "120s"],
            container.Args);
        Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
        Assert.Equal(300, job.Spec.ActiveDeadlineSeconds);
        // Its own pod must not match the Deployment's selector, or it would wait for itself.
        var selector = chart.Single<V1Deployment>().Spec.Selector.MatchLabels;
        var labels = job.Spec.Template.Metadata.Labels;
        Assert.False(selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value), "the hook's pod matches the operator Deployment's selector");
    }

    [Theory, EveryScenario]
    public void The_Job_runs_as_locked_down_as_the_Deployment(Scenario scenario)
    {
        var pod = Job(scenario).Spec.Template.Spec;
        var server = RenderedChart.For(scenario).Single<V1Deployment>().Spec.Template.Spec;
        Assert.Equal(Json(server.SecurityContext), Json(pod.SecurityContext));
        Assert.Equal(Json(server.Containers[0].SecurityContext), Json(pod.Containers[0].SecurityContext));
        Assert.True(pod.Containers[0].SecurityContext.ReadOnlyRootFilesystem);
    }

    [Fact]
    public void Values_set_its_timeouts()
    {
        var result = HelmRunner.Run(["template", HelmRunner.ReleaseName, Repo.ChartDir, "--namespace", HelmRunner.Namespace,
            "--set", "uninstallHook.podTimeout=45s", "--set", "uninstallHook.activeDeadlineSeconds=90"]);
        Assert.True(result.ExitCode == 0, result.Describe());
        var job = RenderedChart.ReadAll(result.StdOut).Select(o => o.Model).OfType<V1Job>().Single();
        Assert.Equal(90, job.Spec.ActiveDeadlineSeconds);
        Assert.Equal("45s", job.Spec.Template.Spec.Containers[0].Args[^1]);
    }

    [Theory]
    [InlineData("uninstallHook.podTimeout=soon")]
    [InlineData("uninstallHook.activeDeadlineSeconds=5")]
    [InlineData("uninstallHook.enable=false")]
    public void The_schema_refuses_bad_hook_values_naming_the_setting(string set)
    {
        var named = set[..set.IndexOf('=', StringComparison.Ordinal)].Split('.')[^1];
        Assert.Contains(named, HelmRunner.RefusedSetting(set), StringComparison.Ordinal);
    }

    [Fact]
    public void Turned_off_it_renders_no_hook_at_all()
    {
        var result = HelmRunner.Template(Repo.ValuesFile("uninstall-hook-off.yaml"));
        Assert.True(result.ExitCode == 0, result.Describe());
        var objects = RenderedChart.ReadAll(result.StdOut);
        Assert.DoesNotContain(objects, o => o.IsHook);
        Assert.DoesNotContain(objects, o => o.Name == Name);
        Assert.Contains(objects, o => o.Kind == "Deployment");
    }

    private static string Json(object value) => k8s.KubernetesJson.Serialize(value);
}
