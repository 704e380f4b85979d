namespace Admission.Chart.Tests;

/// <summary>The three certificate modes: caBundle, CA injection, TLS volume, server arguments, RBAC.</summary>
public class CertificateModeTests
{
    private static readonly string[] DnsNames =
    [
        $"admission.{HelmRunner.Namespace}.svc",
        $"admission.{HelmRunner.Namespace}.svc.cluster.local",
        "admission",
    ];

    private static V1Container Container(Scenario scenario) =>
        Assert.Single(RenderedChart.For(scenario).Single<V1Deployment>().Spec.Template.Spec.Containers);

    private static List<string> Args(Scenario scenario) => Container(scenario).Args.ToList();

    /// <summary>The values of every occurrence of an option (`--opt value`).</summary>
    private static List<string> OptionValues(List<string> args, string option) =>
        args.Select((a, i) => (a, i)).Where(p => p.a == option).Select(p => args[p.i + 1]).ToList();

    [Fact]
    public void Self_mode_leaves_the_caBundle_to_the_leader_and_passes_the_secret_configuration_and_DNS_names()
    {
        var chart = RenderedChart.For(Scenario.Default);
        var configuration = chart.Single<V1ValidatingWebhookConfiguration>();
        var args = Args(Scenario.Default);

        Assert.All(configuration.Webhooks, w => Assert.Null(w.ClientConfig.CaBundle));
        Assert.True(configuration.Metadata.Annotations is null || !configuration.Metadata.Annotations.ContainsKey("cert-manager.io/inject-ca-from"));
        Assert.Equal(["admission-tls"], OptionValues(args, "--cert-secret"));
        Assert.Equal([configuration.Metadata.Name], OptionValues(args, "--webhook-configuration"));
        Assert.Equal(DnsNames, OptionValues(args, "--dns-name"));
        Assert.DoesNotContain("--tls-cert", args);
        Assert.DoesNotContain("--tls-key", args);

        // No Secret volume: every replica reads the Secret through the API.
        var volumes = chart.Single<V1Deployment>().Spec.Template.Spec.Volumes;
        Assert.DoesNotContain(volumes, v => v.Secret is not null);
        Assert.DoesNotContain(volumes.Where(v => v.Projected is not null).SelectMany(v => v.Projected.Sources), s => s.Secret is not null);
        Assert.Empty(chart.All<CertManagerCertificate>());
        Assert.Empty(chart.All<CertManagerIssuer>());
    }

    [Theory]
    [InlineData(Scenario.CertManager, "admission-tls")]
    [InlineData(Scenario.CertManagerIssuer, "admission-tls")]
    [InlineData(Scenario.Provided, "corp-webhook-tls")]
    public void File_modes_mount_the_TLS_secret_and_pass_the_PEM_files(Scenario scenario, string secretName)
    {
        var spec = RenderedChart.For(scenario).Single<V1Deployment>().Spec.Template.Spec;
        var args = Args(scenario);

        Assert.Equal(["/etc/admission/tls/tls.crt"], OptionValues(args, "--tls-cert"));
        Assert.Equal(["/etc/admission/tls/tls.key"], OptionValues(args, "--tls-key"));
        Assert.DoesNotContain("--cert-secret", args);
        Assert.DoesNotContain("--webhook-configuration", args);

        var mount = Assert.Single(Container(scenario).VolumeMounts, m => m.MountPath == "/etc/admission");
        var volume = Assert.Single(spec.Volumes, v => v.Name == mount.Name);
        var secret = Assert.Single(volume.Projected.Sources, s => s.Secret is not null).Secret;
        Assert.Equal(secretName, secret.Name);
        Assert.Equal(
            ["tls.crt->tls/tls.crt", "tls.key->tls/tls.key"],
            secret.Items.Select(i => $"{i.Key}->{i.Path}").ToArray());
    }

    [Fact]
    public void Cert_manager_mode_injects_the_CA_of_a_Certificate_for_the_service()
    {
        var chart = RenderedChart.For(Scenario.CertManager);
        var configuration = chart.Single<V1ValidatingWebhookConfiguration>();
        var serving = chart.Single<CertManagerCertificate>("admission-serving");

        Assert.Equal($"{HelmRunner.Namespace}/admission-serving", configuration.Metadata.Annotations["cert-manager.io/inject-ca-from"]);
        Assert.All(configuration.Webhooks, w => Assert.Null(w.ClientConfig.CaBundle));
        Assert.Equal("admission-tls", serving.Spec!.SecretName);
        Assert.Equal(DnsNames, serving.Spec.DnsNames);
        Assert.Contains("server auth", serving.Spec.Usages!);
        Assert.Equal("admission-ca", serving.Spec.IssuerRef!.Name);
        Assert.Equal("Issuer", serving.Spec.IssuerRef.Kind);

        // The chart's own CA: self-signed Issuer -> CA Certificate -> CA Issuer.
        var selfSigned = chart.Single<CertManagerIssuer>("admission-selfsigned");
        Assert.NotNull(selfSigned.Spec!.SelfSigned);
        var ca = chart.Single<CertManagerCertificate>("admission-ca");
        Assert.True(ca.Spec!.IsCA);
        Assert.Equal("admission-selfsigned", ca.Spec.IssuerRef!.Name);
        var caIssuer = chart.Single<CertManagerIssuer>("admission-ca");
        Assert.Equal(ca.Spec.SecretName, caIssuer.Spec!.Ca!.SecretName);
    }

    [Fact]
    public void Cert_manager_mode_with_an_issuerRef_creates_no_issuer()
    {
        var chart = RenderedChart.For(Scenario.CertManagerIssuer);
        var serving = chart.Single<CertManagerCertificate>();

        Assert.Empty(chart.All<CertManagerIssuer>());
        Assert.Equal("corp-ca", serving.Spec!.IssuerRef!.Name);
        Assert.Equal("ClusterIssuer", serving.Spec.IssuerRef.Kind);
    }

    [Fact]
    public void Provided_mode_puts_the_caBundle_in_every_webhook()
    {
        var configuration = RenderedChart.For(Scenario.Provided).Single<V1ValidatingWebhookConfiguration>();

        Assert.All(configuration.Webhooks, w =>
        {
            Assert.NotNull(w.ClientConfig.CaBundle);
            var pem = Encoding.ASCII.GetString(w.ClientConfig.CaBundle);
            Assert.StartsWith("-----BEGIN CERTIFICATE-----", pem, StringComparison.Ordinal);
        });
        Assert.True(configuration.Metadata.Annotations is null || configuration.Metadata.Annotations.Count == 0);
    }

    [Theory]
    [InlineData("certificates.mode=provided", "certificates.provided.secretName is required when certificates.mode is provided")]
    [InlineData("certificates.mode=provided,certificates.provided.secretName=tls", "certificates.provided.caBundle is required when certificates.mode is provided")]
    public void Provided_mode_without_its_values_fails_with_a_clear_message(string set, string message)
    {
        Assert.Contains(message, HelmRunner.RefusedSetting(set), StringComparison.Ordinal);
    }

    public static TheoryData<Scenario, string[]> SecretRules => new()
    {
        { Scenario.Default, ["secrets:admission-tls:get,list,update,watch", "secrets:*:create"] },
        { Scenario.CertManager, [] },
        { Scenario.Provided, [] },
    };

    [Theory]
    [MemberData(nameof(SecretRules))]
    public void Only_self_mode_may_touch_secrets_or_the_webhook_configuration(Scenario scenario, string[] expected)
    {
        var chart = RenderedChart.For(scenario);
        var rules = chart.All<V1Role>().SelectMany(r => r.Rules).Concat(chart.All<V1ClusterRole>().SelectMany(r => r.Rules)).ToList();

        var secretRules = rules.Where(r => r.Resources.Contains("secrets"))
            .Select(r => $"secrets:{(r.ResourceNames is null ? "*" : string.Join(',', r.ResourceNames))}:{string.Join(',', r.Verbs.Order())}")
            .ToArray();
        Assert.Equal(expected, secretRules);
        Assert.Equal(scenario == Scenario.Default, rules.Any(r => r.Resources.Contains("validatingwebhookconfigurations")));
    }
}
