namespace Admission.Chart.Tests.Infrastructure;

// KubernetesClient has no models for the Prometheus Operator's kinds. These hold just the
// monitoring.coreos.com/v1 fields the chart uses (names and shapes as in the operator's
// ServiceMonitor and PrometheusRule CRDs), read with the same strict reader, so a misspelled or
// misplaced field fails here (a field the chart starts to use must be added below, checked
// against the CRD). Each parameter is a field: its JSON name is the parameter's name in camelCase,
// as KubernetesClient's JSON options (which the strict reader uses) write every name.

internal sealed class ServiceMonitor : ObjectModel<ServiceMonitorSpec>;

internal sealed record ServiceMonitorSpec(
    string? JobLabel, NamespaceSelector? NamespaceSelector, V1LabelSelector? Selector, IList<ServiceMonitorEndpoint>? Endpoints);

internal sealed record NamespaceSelector(bool? Any, IList<string>? MatchNames);

internal sealed record ServiceMonitorEndpoint(string? Port, string? Path, string? Scheme, string? Interval, TlsConfig? TlsConfig);

internal sealed record TlsConfig(SecretOrConfigMap? Ca, string? ServerName, bool? InsecureSkipVerify);

internal sealed record SecretOrConfigMap(V1SecretKeySelector? Secret, V1ConfigMapKeySelector? ConfigMap);

internal sealed class PrometheusRule : ObjectModel<PrometheusRuleSpec>;

internal sealed record PrometheusRuleSpec(IList<RuleGroup>? Groups);

internal sealed record RuleGroup(string? Name, string? Interval, IList<Rule>? Rules);

internal sealed record Rule(
    string? Alert, string? Record, string? Expr, string? For, IDictionary<string, string>? Labels, IDictionary<string, string>? Annotations);
