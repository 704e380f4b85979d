namespace Admission.Chart.Tests;

/// <summary>The chart's CRD is a byte-for-byte copy of config/crd/, the one source of truth.</summary>
public class CrdTests
{
    private const string FileName = "changeapprovals.approvals.admission.dev.yaml";

    [Fact]
    public void The_chart_CRD_is_byte_identical_to_config_crd()
    {
        var source = Repo.PathOf("config", "crd", FileName);
        var copy = Path.Combine(Repo.ChartDir, "crds", FileName);

        Assert.True(File.Exists(source), $"config/crd/{FileName} is missing: it is the one source of truth for the CRD (the chart holds a copy made by hack/sync-crd.sh).");
        Assert.True(File.Exists(copy), $"charts/admission/crds/{FileName} is missing: run hack/sync-crd.sh");
        Assert.True(
            File.ReadAllBytes(source).AsSpan().SequenceEqual(File.ReadAllBytes(copy)),
            $"charts/admission/crds/{FileName} differs from config/crd/{FileName}: run hack/sync-crd.sh");
    }

    [Fact]
    public void The_chart_holds_only_that_CRD()
    {
        var files = Directory.GetFiles(Path.Combine(Repo.ChartDir, "crds")).Select(Path.GetFileName);
        Assert.Equal([FileName], files);
    }

    [Fact]
    public void The_rendered_CRD_is_the_ChangeApproval_resource_of_the_contract()
    {
        var crd = RenderedChart.For(Scenario.Default).Single<V1CustomResourceDefinition>();

        Assert.Equal("changeapprovals.approvals.admission.dev", crd.Metadata.Name);
        Assert.Equal("approvals.admission.dev", crd.Spec.Group);
        Assert.Equal("Namespaced", crd.Spec.Scope);
        Assert.Equal(("ChangeApproval", "changeapprovals"), (crd.Spec.Names.Kind, crd.Spec.Names.Plural));
        Assert.Contains("approval", crd.Spec.Names.ShortNames);
        var version = Assert.Single(crd.Spec.Versions, v => v.Storage);
        Assert.Equal("v1alpha1", version.Name);
        Assert.True(version.Served);
        Assert.NotNull(version.Subresources.Status);
        Assert.NotNull(version.Schema.OpenAPIV3Schema.Properties["spec"]);
    }
}
