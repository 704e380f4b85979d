using Admission.Operator.Notifications;

namespace Admission.Chart.Tests;

/// <summary>notifications.*: receivers rendered into a Secret the server reads at start; off when none.</summary>
public class NotificationChartTests
{
    private static V1Deployment Deployment(Scenario s) => RenderedChart.For(s).Single<V1Deployment>();

    [Fact]
    public void Receivers_go_into_a_secret_the_server_reads_as_it_is()
    {
        var secret = RenderedChart.For(Scenario.Notifications).Single<V1Secret>("admission-notifications");
        var text = Encoding.UTF8.GetString(secret.Data["notifications.yaml"]);
        var config = NotificationConfigReader.Parse(text, "notifications.yaml");

        Assert.Equal(["slack-payments", "audit"], config.Receivers.Select(r => r.Name));
        Assert.Equal(ReceiverType.Slack, config.Receivers[0].Type);
        Assert.True(config.Receivers[0].Routes("payments", new Dictionary<string, string>()));
        Assert.False(config.Receivers[0].Routes("ledger", new Dictionary<string, string>()));
        Assert.Equal("change-me", config.Receivers[1].Secret);
        Assert.True(config.Receivers[1].Routes("ledger", new Dictionary<string, string> { ["team"] = "payments" }));
    }

    [Fact]
    public void The_server_is_pointed_at_the_mounted_file_and_restarts_when_it_changes()
    {
        var deployment = Deployment(Scenario.Notifications);
        var args = deployment.Spec.Template.Spec.Containers[0].Args;
        var at = args.IndexOf("--notifications");
        Assert.True(at >= 0, string.Join(' ', args));
        Assert.Equal("/etc/admission/notifications.yaml", args[at + 1]);
        var sources = deployment.Spec.Template.Spec.Volumes.Single(v => v.Name == "config").Projected.Sources;
        var mounted = Assert.Single(sources, s => s.Secret?.Name == "admission-notifications");
        Assert.Equal(("notifications.yaml", "notifications.yaml"), (mounted.Secret.Items[0].Key, mounted.Secret.Items[0].Path));
        Assert.Contains("checksum/notifications", deployment.Spec.Template.Metadata.Annotations.Keys);
    }

    [Fact]
    public void Without_receivers_there_is_no_secret_and_no_flag()
    {
        var chart = RenderedChart.For(Scenario.Default);
        Assert.DoesNotContain(chart.All<V1Secret>(), s => s.Metadata.Name == "admission-notifications");
        Assert.DoesNotContain("--notifications", Deployment(Scenario.Default).Spec.Template.Spec.Containers[0].Args);
    }

    [Fact]
    public void An_existing_secret_is_used_instead()
    {
        var result = HelmRunner.Run(["template", HelmRunner.ReleaseName, Repo.ChartDir, "--namespace", HelmRunner.Namespace, "--set", "notifications.existingSecret=corp-receivers"]);
        Assert.True(result.ExitCode == 0, result.Describe());
        var objects = RenderedChart.ReadAll(result.StdOut);
        Assert.DoesNotContain(objects, o => o.Kind == "Secret");
        var deployment = (V1Deployment)objects.Single(o => o.Kind == "Deployment").Model;
        Assert.Contains(deployment.Spec.Template.Spec.Volumes.Single(v => v.Name == "config").Projected.Sources, s => s.Secret?.Name == "corp-receivers");
    }

    [Theory]
    [InlineData("notifications.receivers[0].name=Slack,notifications.receivers[0].type=slack,notifications.receivers[0].url=https://a", "/notifications/receivers/0/name")]
    [InlineData("notifications.receivers[0].name=a,notifications.receivers[0].type=email,notifications.receivers[0].url=https://a", "/notifications/receivers/0/type")]
    [InlineData("notifications.receivers[0].name=a,notifications.receivers[0].type=slack", "missing property 'url'")]
    public void The_schema_rejects_bad_receivers(string set, string expected)
    {
        Assert.Contains(expected, HelmRunner.RefusedSetting(set), StringComparison.Ordinal);
    }
}
