namespace Admission.Chart.Tests.Infrastructure;

// KubernetesClient has no models for the Prometheus Operator's kinds. These hold just the
// monitoring.coreos.com/v1 fields the chart uses (names and shapes as in the operator's
// ServiceMonitor and PrometheusRule CRDs), read with the same strict reader, so a misspelled or
// misplaced field fails here (a field the chart starts to use must be added below, checked
// against the CRD).

internal sealed class ServiceMonitor : ObjectModel<ServiceMonitorSpec>;

internal sealed class ServiceMonitorSpec
{
    [JsonPropertyName("jobLabel")] public string? JobLabel { get; set; }
    [JsonPropertyName("namespaceSelector")] public NamespaceSelector? NamespaceSelector { get; set; }
    [JsonPropertyName("selector")] public V1LabelSelector? Selector { get; set; }
    [JsonPropertyName("endpoints")] public IList<ServiceMonitorEndpoint>? Endpoints { get; set; }
}

internal sealed class NamespaceSelector
{
    [JsonPropertyName("any")] public bool? Any { get; set; }
    [JsonPropertyName("matchNames")] public IList<string>? MatchNames { get; set; }
}

internal sealed class ServiceMonitorEndpoint
{
    [JsonPropertyName("port")] public string? Port { get; set; }
    [JsonPropertyName("path")] public string? Path { get; set; }
    [JsonPropertyName("scheme")] public string? Scheme { get; set; }
    [JsonPropertyName("interval")] public string? Interval { get; set; }
    [JsonPropertyName("tlsConfig")] public TlsConfig? TlsConfig { get; set; }
}

internal sealed class TlsConfig
{
    [JsonPropertyName("ca")] public SecretOrConfigMap? Ca { get; set; }
    [JsonPropertyName("serverName")] public string? ServerName { get; set; }
    [JsonPropertyName("insecureSkipVerify")] public bool? InsecureSkipVerify { get; set; }
}

internal sealed class SecretOrConfigMap
{
    [JsonPropertyName("secret")] public V1SecretKeySelector? Secret { get; set; }
    [JsonPropertyName("configMap")] public V1ConfigMapKeySelector? ConfigMap { get; set; }
}

internal sealed class PrometheusRule : ObjectModel<PrometheusRuleSpec>;

internal sealed class PrometheusRuleSpec
{
    [JsonPropertyName("groups")] public IList<RuleGroup>? Groups { get; set; }
}

internal sealed class RuleGroup
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("interval")] public string? Interval { get; set; }
    [JsonPropertyName("rules")] public IList<Rule>? Rules { get; set; }
}

internal sealed class Rule
{
    [JsonPropertyName("alert")] public string? Alert { get; set; }
    [JsonPropertyName("record")] public string? Record { get; set; }
    [JsonPropertyName("expr")] public string? Expr { get; set; }
    [JsonPropertyName("for")] public string? For { get; set; }
    [JsonPropertyName("labels")] public IDictionary<string, string>? Labels { get; set; }
    [JsonPropertyName("annotations")] public IDictionary<string, string>? Annotations { get; set; }
}
