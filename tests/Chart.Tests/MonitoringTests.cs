namespace Admission.Chart.Tests;

/// <summary>
/// monitoring.*: the ServiceMonitor, PrometheusRule and Grafana dashboard, each off by default;
/// rendered and read strictly; the rules checked and unit-tested by promtool; every metric they
/// name exported by a running server.
/// </summary>
public partial class MonitoringTests
{
    private const string DashboardName = "admission-dashboard";

    /// <summary>Series Prometheus itself provides, not the program.</summary>
    private static readonly HashSet<string> External = new(StringComparer.Ordinal) { "up" };

    private static readonly string[] Alerts =
    [
        "AdmissionWebhookDown", "AdmissionWebhookFailingClosed", "AdmissionReplicaNotReady", "AdmissionInternalErrors",
        "AdmissionCertificateExpiringSoon", "AdmissionApprovalCacheStale", "AdmissionBreakGlassUsed", "AdmissionBreakGlassUnreviewed",
        "AdmissionDecisionLogLinesDropped", "AdmissionNotificationsFailing", "AdmissionPolicyReloadFailing",
    ];

    private static RenderedChart Monitoring => RenderedChart.For(Scenario.Monitoring);

    [Theory]
    [InlineData(Scenario.Default)]
    [InlineData(Scenario.CertManager)]
    [InlineData(Scenario.Provided)]
    public void Nothing_is_rendered_for_monitoring_unless_turned_on(Scenario scenario)
    {
        var chart = RenderedChart.For(scenario);
        Assert.Empty(chart.All<ServiceMonitor>());
        Assert.Empty(chart.All<PrometheusRule>());
        Assert.DoesNotContain(chart.Objects, o => o.Kind == "ConfigMap" && o.Name == DashboardName);
    }

    [Fact]
    public void Each_object_turns_on_with_its_one_value()
    {
        foreach (var (set, kind) in new[] { ("monitoring.serviceMonitor.enabled=true", "ServiceMonitor"), ("monitoring.prometheusRule.enabled=true", "PrometheusRule"), ("monitoring.dashboard.enabled=true", "ConfigMap") })
        {
            var result = HelmRunner.Run(["template", HelmRunner.ReleaseName, Repo.ChartDir, "--namespace", HelmRunner.Namespace, "--set", set]);
            Assert.True(result.ExitCode == 0, result.Describe());
            var objects = RenderedChart.ReadAll(result.StdOut);
            var monitoringKinds = objects.Where(o => o.Kind is "ServiceMonitor" or "PrometheusRule" || o.Name == DashboardName).Select(o => o.Kind).ToList();
            Assert.Equal([kind], monitoringKinds);
        }
    }

    [Fact]
    public void The_service_monitor_scrapes_metrics_over_https_verifying_the_service_name()
    {
        var monitor = Monitoring.Single<ServiceMonitor>();
        var service = Monitoring.Single<V1Service>();
        Assert.Equal("prometheus", monitor.Metadata!.Labels["release"]);
        Assert.Equal([HelmRunner.Namespace], monitor.Spec!.NamespaceSelector!.MatchNames);
        // It selects the Service by labels the Service carries.
        Assert.All(monitor.Spec.Selector!.MatchLabels, l => Assert.Equal(l.Value, service.Metadata.Labels[l.Key]));
        var endpoint = Assert.Single(monitor.Spec.Endpoints!);
        Assert.Equal("https", endpoint.Port);
        Assert.Contains(service.Spec.Ports, p => p.Name == endpoint.Port);
        Assert.Equal("/metrics", endpoint.Path);
        Assert.Equal("https", endpoint.Scheme);
        Assert.Equal("admission-tls", endpoint.TlsConfig!.Ca!.Secret!.Name);
        Assert.Equal("ca.crt", endpoint.TlsConfig.Ca.Secret.Key);
        Assert.Equal("admission.admission-system.svc", endpoint.TlsConfig.ServerName);
        Assert.Null(endpoint.TlsConfig.InsecureSkipVerify);
    }

    [Fact]
    public void The_rule_holds_every_alert_each_saying_what_to_do()
    {
        var rule = Monitoring.Single<PrometheusRule>();
        var rules = rule.Spec!.Groups!.SelectMany(g => g.Rules!).ToList();
        Assert.Equal(Alerts, rules.Select(r => r.Alert!));
        Assert.All(rules, r =>
        {
            Assert.Contains(r.Labels!["severity"], (string[])["critical", "warning", "info"]);
            Assert.False(string.IsNullOrWhiteSpace(r.Annotations!["summary"]), r.Alert);
            Assert.True(r.Annotations!["description"].Length > 60, r.Alert + ": the description must say what to do");
            Assert.Equal("docs/operating.md#" + r.Alert!.ToLowerInvariant(), r.Annotations["runbook_url"]);
            // Every series a rule reads is this release's: job and namespace are pinned.
            Assert.Contains("job=\"admission\",namespace=\"admission-system\"", r.Expr!, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Every_alert_is_documented_in_operating_md()
    {
        var docs = File.ReadAllText(Repo.PathOf("docs", "operating.md"));
        Assert.All(Alerts, a => Assert.Contains("### " + a, docs, StringComparison.Ordinal));
    }

    [Fact]
    public void Promtool_checks_the_rules()
    {
        using var dir = new TempFolder();
        WriteRules(dir.Path, keepAnnotations: true);
        var result = Tool.Run("promtool", dir.Path, "check", "rules", "rules.yaml");
        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains($"SUCCESS: {Alerts.Length} rules found", result.StdOut + result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Promtool_unit_tests_pass_with_a_firing_and_a_quiet_case_for_every_alert()
    {
        var tests = Repo.PathOf("tests", "Chart.Tests", "promtool", "alerts.test.yaml");
        var cases = YamlToJson.ParseSingle(File.ReadAllText(tests))!["tests"]!.AsArray()
            .SelectMany(t => t!["alert_rule_test"]!.AsArray()).ToList();
        foreach (var alert in Alerts)
        {
            var mine = cases.Where(c => c!["alertname"]!.GetValue<string>() == alert).ToList();
            Assert.True(mine.Any(c => c!["exp_alerts"]!.AsArray().Count > 0), $"{alert}: no case where it fires");
            Assert.True(mine.Any(c => c!["exp_alerts"]!.AsArray().Count == 0), $"{alert}: no case where it stays quiet");
        }

        using var dir = new TempFolder();
        // Annotations are left out here: promtool would compare them verbatim in every case.
        WriteRules(dir.Path, keepAnnotations: false);
        File.Copy(tests, Path.Combine(dir.Path, "alerts.test.yaml"));
        var result = Tool.Run("promtool", dir.Path, "test", "rules", "alerts.test.yaml");
        Assert.True(result.ExitCode == 0, result.Describe());
    }

    [Fact]
    public void The_dashboard_is_a_grafana_dashboard_with_the_panels_operators_need()
    {
        var dashboard = Dashboard();
        Assert.Equal("admission", dashboard["uid"]!.GetValue<string>());
        var configMap = Monitoring.Single<V1ConfigMap>(DashboardName);
        Assert.Equal("1", configMap.Metadata.Labels["grafana_dashboard"]);
        var titles = Panels(dashboard).Select(p => p["title"]!.GetValue<string>()).ToList();
        foreach (var wanted in (string[])["Decisions by result and code", "Decision latency", "ChangeApprovals by phase", "Break glass", "Approval cache age"])
        {
            Assert.Contains(wanted, titles);
        }
        var latency = Panels(dashboard).Single(p => p["title"]!.GetValue<string>() == "Decision latency");
        Assert.Equal(["p50", "p90", "p99"], latency["targets"]!.AsArray().Select(t => t!["legendFormat"]!.GetValue<string>()));
        Assert.All(Panels(dashboard), p => Assert.NotEmpty(p["targets"]!.AsArray()));
    }

    [Fact]
    public async Task Every_metric_an_alert_or_panel_reads_is_exported_by_a_running_server()
    {
        var exported = await ServedMetrics.FamiliesAsync();
        var read = new List<(string Where, string Metric)>();
        foreach (var rule in Monitoring.Single<PrometheusRule>().Spec!.Groups!.SelectMany(g => g.Rules!))
        {
            read.AddRange(PromQlNames.Of(rule.Expr!).Select(m => ($"alert {rule.Alert}", m)));
        }
        foreach (var panel in Panels(Dashboard()))
        {
            foreach (var target in panel["targets"]!.AsArray())
            {
                read.AddRange(PromQlNames.Of(target!["expr"]!.GetValue<string>()).Select(m => ($"panel {panel["title"]}", m)));
            }
        }
        foreach (var variable in Dashboard()["templating"]!["list"]!.AsArray().Where(v => v!["type"]!.GetValue<string>() == "query"))
        {
            // label_values(SELECTOR, LABEL): only the selector names a metric.
            var query = variable!["query"]!.GetValue<string>();
            var selector = LabelValues().Match(query) is { Success: true } m ? m.Groups[1].Value : query;
            read.AddRange(PromQlNames.Of(selector).Select(n => ($"variable {variable["name"]}", n)));
        }
        Assert.True(read.Count > 20, "the extractor found too few names: " + string.Join(", ", read));
        var missing = read.Where(r => !External.Contains(r.Metric) && !exported.Contains(r.Metric)).Select(r => $"{r.Where}: {r.Metric}").ToList();
        Assert.True(missing.Count == 0, "not exported by admission serve:\n" + string.Join("\n", missing));
    }

    public static TheoryData<string, string[]> Expressions => new()
    {
        { "absent(up{job=\"a\"} == 1)", ["up"] },
        { "sum by (le) (rate(admission_request_duration_seconds_bucket{job=\"$job\"}[$__rate_interval]))", ["admission_request_duration_seconds_bucket"] },
        { "time() - min by (namespace) (x_seconds{a=\"b\"} > 0) > 24 * 3600", ["x_seconds"] },
        { "histogram_quantile(0.99, a_bucket) / on(pod) group_left(node) b and c", ["a_bucket", "b", "c"] },
        { "increase(c_total{decision=\"break-glass\"}[10m]) > 1e3", ["c_total"] },
    };

    [Theory]
    [MemberData(nameof(Expressions))]
    public void The_name_extractor_finds_exactly_the_metrics(string expr, string[] names) =>
        Assert.Equal(names.Order(StringComparer.Ordinal), PromQlNames.Of(expr).Order(StringComparer.Ordinal));

    private static JsonObject Dashboard()
    {
        var configMap = Monitoring.Single<V1ConfigMap>(DashboardName);
        return JsonNode.Parse(configMap.Data["admission.json"])!.AsObject();
    }

    private static IEnumerable<JsonObject> Panels(JsonObject dashboard) => dashboard["panels"]!.AsArray().Select(p => p!.AsObject());

    /// <summary>The rendered rule's spec as a Prometheus rules file (JSON is YAML).</summary>
    private static void WriteRules(string dir, bool keepAnnotations)
    {
        var spec = Monitoring.Objects.Single(o => o.Kind == "PrometheusRule").Json["spec"]!.DeepClone().AsObject();
        if (!keepAnnotations)
        {
            foreach (var rule in spec["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray())) rule!.AsObject().Remove("annotations");
        }
        File.WriteAllText(Path.Combine(dir, "rules.yaml"), spec.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^label_values\((.*),\s*\w+\)$")]
    private static partial System.Text.RegularExpressions.Regex LabelValues();

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("admission-promtool-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
