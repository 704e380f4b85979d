namespace Admission.Chart.Tests;

/// <summary>Every object the chart renders, in every scenario, reads strictly into its typed model.</summary>
public class StrictReadTests
{
    [Theory, EveryScenario]
    public void Every_rendered_object_reads_strictly_into_its_model(Scenario scenario)
    {
        var chart = RenderedChart.For(scenario);

        Assert.NotEmpty(chart.Objects);
        var kinds = chart.Objects.Select(o => o.Kind).ToHashSet();
        foreach (var expected in new[]
                 {
                     "CustomResourceDefinition", "ServiceAccount", "ConfigMap", "Service", "Deployment",
                     "PodDisruptionBudget", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
                     "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
                 })
        {
            Assert.Contains(expected, kinds);
        }

        // Names are unique per kind and namespace, as the API server requires.
        var duplicates = chart.Objects.GroupBy(o => (o.Kind, o.Namespace, o.Name)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(duplicates);

        // Namespaced objects carry the release namespace; cluster-scoped ones carry none.
        string[] clusterScoped = ["CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "ValidatingWebhookConfiguration",
            "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"];
        foreach (var obj in chart.Objects)
        {
            Assert.True(
                clusterScoped.Contains(obj.Kind) ? obj.Namespace is null : obj.Namespace == HelmRunner.Namespace,
                $"{obj}: namespace is '{obj.Namespace}'");
        }
    }

    [Theory, EveryScenario]
    public void Every_object_but_the_CRD_carries_the_chart_labels(Scenario scenario)
    {
        foreach (var obj in RenderedChart.For(scenario).Objects.Where(o => o.Kind != "CustomResourceDefinition"))
        {
            var labels = obj.Json["metadata"]?["labels"]?.AsObject();
            Assert.True(labels is not null, $"{obj} has no labels");
            Assert.Equal("admission", labels["app.kubernetes.io/name"]?.GetValue<string>());
            Assert.Equal(HelmRunner.ReleaseName, labels["app.kubernetes.io/instance"]?.GetValue<string>());
            Assert.Equal("Helm", labels["app.kubernetes.io/managed-by"]?.GetValue<string>());
        }
    }

    /// <summary>Each document holds just the path down to its misspelled field, nothing the read does not need.</summary>
    public static TheoryData<string, string> MisspelledDocuments => new()
    {
        {
            "spec.template.spec.containers[0].securityContext.readOnlyRootFilesytem",
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: x}
            spec:
              template:
                spec:
                  containers:
                  - name: c
                    image: i
                    securityContext:
                      readOnlyRootFilesytem: true
            """
        },
        {
            "webhooks[0].failurPolicy",
            """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata: {name: x}
            webhooks:
            - name: a.b.c
              failurPolicy: Fail
              sideEffects: None
              admissionReviewVersions: [v1]
              clientConfig: {service: {name: s, namespace: n}}
            """
        },
        {
            "rules[0].verb",
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: x}
            rules:
            - apiGroups: [""]
              resources: [pods]
              verb: [get]
            """
        },
        {
            "metadata.Labels",
            """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: x
              Labels: {a: b}
            """
        },
        {
            "spec.dnsName",
            """
            apiVersion: cert-manager.io/v1
            kind: Certificate
            metadata: {name: x}
            spec:
              secretName: s
              dnsName: [a]
              issuerRef: {name: i}
            """
        },
    };

    [Theory]
    [MemberData(nameof(MisspelledDocuments))]
    public void A_misspelled_field_fails_the_strict_read(string path, string yaml)
    {
        var e = Assert.Throws<StrictReadException>(() => RenderedChart.ReadAll(yaml));
        Assert.Contains(path.Split('.')[^1].Split('[')[0], e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_of_the_wrong_type_fails_the_strict_read()
    {
        // A bare 1 is a number, as on a real cluster: label values must be quoted.
        const string yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: x
              labels: {tier: 1}
            """;
        Assert.Throws<StrictReadException>(() => RenderedChart.ReadAll(yaml));
    }

    [Fact]
    public void An_unknown_kind_fails_the_read()
    {
        const string yaml = """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: x}
            """;
        var e = Assert.Throws<StrictReadException>(() => RenderedChart.ReadAll(yaml));
        Assert.Contains("has no model", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_correct_document_reads_into_the_typed_model()
    {
        const string yaml = """
            # Source: admission/templates/x.yaml
            apiVersion: v1
            kind: Service
            metadata: {name: x, namespace: ns}
            spec:
              ports:
              - {name: https, port: 443, targetPort: https}
            ---
            # Source: admission/templates/y.yaml
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: policy}
            data: {a: "1"}
            """;
        var objects = RenderedChart.ReadAll(yaml);
        Assert.Equal(2, objects.Count);
        var service = Assert.IsType<V1Service>(objects[0].Model);
        Assert.Equal(443, service.Spec.Ports[0].Port);
        Assert.Equal("https", service.Spec.Ports[0].TargetPort.Value);
        Assert.Equal("admission/templates/x.yaml", objects[0].Source);
    }
}
