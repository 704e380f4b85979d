namespace Admission.Chart.Tests;

/// <summary>The Deployment: availability, probes, resources, pod security and server arguments.</summary>
public class DeploymentTests
{
    private static V1Deployment Deployment(Scenario scenario) => RenderedChart.For(scenario).Single<V1Deployment>();

    private static V1Container Container(Scenario scenario) => Assert.Single(Deployment(scenario).Spec.Template.Spec.Containers);

    [Theory]
    [InlineData(Scenario.Default, 3)]
    [InlineData(Scenario.PolicyOverrides, 2)]
    public void Replicas_come_from_values_and_default_to_three(Scenario scenario, int replicas)
    {
        Assert.Equal(replicas, Deployment(scenario).Spec.Replicas);
        var strategy = Deployment(scenario).Spec.Strategy;
        Assert.Equal("RollingUpdate", strategy.Type);
        Assert.Equal("0", strategy.RollingUpdate.MaxUnavailable.Value);
    }

    [Theory, EveryScenario]
    public void Replicas_spread_across_nodes(Scenario scenario)
    {
        var deployment = Deployment(scenario);
        var spread = Assert.Single(deployment.Spec.Template.Spec.TopologySpreadConstraints);

        Assert.Equal("kubernetes.io/hostname", spread.TopologyKey);
        Assert.Equal(1, spread.MaxSkew);
        Assert.Equal("ScheduleAnyway", spread.WhenUnsatisfiable);
        Assert.Equal(deployment.Spec.Selector.MatchLabels, spread.LabelSelector.MatchLabels);
    }

    [Theory, EveryScenario]
    public void A_PodDisruptionBudget_keeps_replicas_serving_during_drains(Scenario scenario)
    {
        var chart = RenderedChart.For(scenario);
        var pdb = chart.Single<V1PodDisruptionBudget>();
        var deployment = chart.Single<V1Deployment>();

        Assert.Equal("1", pdb.Spec.MaxUnavailable.Value);
        Assert.Null(pdb.Spec.MinAvailable);
        Assert.Equal(deployment.Spec.Selector.MatchLabels, pdb.Spec.Selector.MatchLabels);
        foreach (var (key, value) in deployment.Spec.Selector.MatchLabels)
        {
            Assert.Equal(value, deployment.Spec.Template.Metadata.Labels[key]);
        }
    }

    [Theory]
    [InlineData("/healthz", true)]
    [InlineData("/readyz", false)]
    public void Probes_use_health_endpoints_over_HTTPS(string path, bool liveness)
    {
        var container = Container(Scenario.Default);
        var probe = liveness ? container.LivenessProbe : container.ReadinessProbe;

        Assert.Equal(path, probe.HttpGet.Path);
        Assert.Equal("HTTPS", probe.HttpGet.Scheme);
        Assert.Equal("https", probe.HttpGet.Port.Value);
        Assert.Contains(container.Ports, p => p.Name == "https" && p.ContainerPort == 8443);
    }

    [Fact]
    public void Resources_have_requests_and_limits()
    {
        var resources = Container(Scenario.Default).Resources;

        Assert.Equal(["cpu", "memory"], resources.Requests.Keys.Order());
        Assert.Equal(["cpu", "memory"], resources.Limits.Keys.Order());
        Assert.True(resources.Limits["memory"].ToDecimal() >= resources.Requests["memory"].ToDecimal());
    }

    [Theory, EveryScenario]
    public void The_pod_runs_restricted(Scenario scenario)
    {
        var pod = Deployment(scenario).Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        var security = container.SecurityContext;

        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal(65532, pod.SecurityContext.RunAsUser);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        Assert.True(security.RunAsNonRoot);
        Assert.Equal(65532, security.RunAsUser);
        Assert.True(security.ReadOnlyRootFilesystem);
        Assert.False(security.AllowPrivilegeEscalation);
        Assert.NotEqual(true, security.Privileged);
        Assert.Equal(["ALL"], security.Capabilities.Drop);
        Assert.True(security.Capabilities.Add is null || security.Capabilities.Add.Count == 0);
        Assert.Equal("RuntimeDefault", security.SeccompProfile.Type);
        Assert.True(pod.AutomountServiceAccountToken);
        Assert.NotEqual(true, pod.HostNetwork);
        Assert.NotEqual(true, pod.HostPID);
        Assert.Null(pod.InitContainers);
    }

    [Theory, EveryScenario]
    public void Tmp_is_an_emptyDir_and_the_policy_is_mounted_at_etc_admission(Scenario scenario)
    {
        var pod = Deployment(scenario).Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);

        var tmp = Assert.Single(container.VolumeMounts, m => m.MountPath == "/tmp");
        Assert.NotNull(Assert.Single(pod.Volumes, v => v.Name == tmp.Name).EmptyDir);

        var config = Assert.Single(container.VolumeMounts, m => m.MountPath == "/etc/admission");
        Assert.True(config.ReadOnlyProperty);
        var volume = Assert.Single(pod.Volumes, v => v.Name == config.Name);
        var configMap = Assert.Single(volume.Projected.Sources, s => s.ConfigMap is not null).ConfigMap;
        Assert.Equal("admission-policy", configMap.Name);
        Assert.Equal("policy.yaml", Assert.Single(configMap.Items).Path);
        Assert.Equal(2, container.VolumeMounts.Count);
        Assert.Equal(2, pod.Volumes.Count);
    }

    [Fact]
    public void The_pod_restarts_when_the_policy_changes()
    {
        var defaults = Deployment(Scenario.Default).Spec.Template.Metadata.Annotations["checksum/policy"];
        var overridden = Deployment(Scenario.PolicyOverrides).Spec.Template.Metadata.Annotations["checksum/policy"];

        Assert.Matches("^[0-9a-f]{64}$", defaults);
        Assert.NotEqual(defaults, overridden);
        Assert.Equal(defaults, Deployment(Scenario.Provided).Spec.Template.Metadata.Annotations["checksum/policy"]);
    }

    [Theory]
    [InlineData(Scenario.Default, null)]
    [InlineData(Scenario.PolicyOverrides, "system-cluster-critical")]
    public void PriorityClassName_is_optional(Scenario scenario, string? expected)
    {
        Assert.Equal(expected, Deployment(scenario).Spec.Template.Spec.PriorityClassName);
    }

    [Theory, EveryScenario]
    public void The_server_is_started_with_the_serve_options(Scenario scenario)
    {
        var container = Container(scenario);
        var args = container.Args.ToList();

        Assert.Null(container.Command);
        Assert.Equal("serve", args[0]);
        string Option(string name)
        {
            var i = args.IndexOf(name);
            Assert.True(i > 0 && i + 1 < args.Count, $"missing {name} in {string.Join(' ', args)}");
            Assert.Equal(i, args.LastIndexOf(name));
            return args[i + 1];
        }

        Assert.Equal("https://0.0.0.0:8443", Option("--listen"));
        Assert.Equal("/etc/admission/policy.yaml", Option("--policy"));
        Assert.Equal("$(POD_NAMESPACE)", Option("--namespace"));
        Assert.Equal("admission-leader", Option("--lease-name"));
        Assert.Equal("120s", Option("--max-cache-staleness"));
        Assert.Equal("json", Option("--log-format"));
        // The chart's own service account: the webhook lets only it open a retrospective ChangeApproval for someone else.
        Assert.Equal("system:serviceaccount:$(POD_NAMESPACE):admission", Option("--operator-user"));
        Assert.DoesNotContain("--approvals", args);

        var env = Assert.Single(container.Env, e => e.Name == "POD_NAMESPACE");
        Assert.Equal("metadata.namespace", env.ValueFrom.FieldRef.FieldPath);

        // Only the options the program has: anything else would stop it from starting.
        string[] known =
        [
            "--listen", "--policy", "--namespace", "--lease-name", "--max-cache-staleness", "--log-format",
            "--tls-cert", "--tls-key", "--cert-secret", "--webhook-configuration", "--dns-name", "--notifications", "--drain-delay",
            "--operator-user",
        ];
        Assert.All(args.Where(a => a.StartsWith("--", StringComparison.Ordinal)), a => Assert.Contains(a, known));
    }

    [Fact]
    public void The_image_defaults_to_the_app_version()
    {
        var chartYaml = File.ReadAllText(Path.Combine(Repo.ChartDir, "Chart.yaml"));
        Assert.Contains("appVersion: \"0.1.0\"", chartYaml, StringComparison.Ordinal);
        Assert.EndsWith(":0.1.0", Container(Scenario.Default).Image, StringComparison.Ordinal);
    }
}
