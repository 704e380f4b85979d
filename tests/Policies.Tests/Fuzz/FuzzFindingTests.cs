namespace Admission.Policies.Tests.Fuzz;

/// <summary>
/// Every text input afl found that broke a parser (tests/Fuzz/regressions/{policy,manifest,approval}),
/// through each reader of user-written text: it is answered with an error that names the file and
/// a line, the way a person fixing it needs, not with an exception.
/// </summary>
public sealed class FuzzFindingTests
{
    private static readonly string[] Targets = ["policy", "manifest", "approval"];

    public static TheoryData<string> Findings()
    {
        var data = new TheoryData<string>();
        foreach (var target in Targets)
        {
            var dir = RepoPaths.Get("tests", "Fuzz", "regressions", target);
            if (!Directory.Exists(dir)) continue;
            foreach (var file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal)) data.Add(Path.GetRelativePath(RepoPaths.Root, file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Findings))]
    public void A_finding_is_a_located_error_in_every_reader(string file)
    {
        var text = File.ReadAllText(RepoPaths.Get(file));

        var policyErrors = new List<InputError>();
        PolicyParser.TryParse(text, "policy.yaml", policyErrors);
        AssertLocated(policyErrors, "policy.yaml");

        var manifestErrors = new List<InputError>();
        var manifests = ManifestParser.Read(text, "input.yaml", "default", manifestErrors);
        AssertLocated(manifestErrors, "input.yaml");

        var approvalErrors = new List<InputError>();
        foreach (var m in ManifestParser.Read(text, "approvals.yaml", "payments", approvalErrors, new HashSet<string> { ChangeApproval.KindName }))
        {
            ChangeApprovalReader.Read(m.Object, approvalErrors, m.Source, m.Namespace);
        }
        AssertLocated(approvalErrors, "approvals.yaml");

        // Each finding is broken input: some reader must say so.
        Assert.True(policyErrors.Count + manifestErrors.Count + approvalErrors.Count > 0 || manifests.Count > 0);
    }

    [Fact]
    public void An_alias_where_a_mapping_value_starts_is_a_yaml_error_on_its_line()
    {
        var errors = new List<InputError>();
        var manifests = ManifestParser.Read("..+.:+:\t*f*\t*f", "input.yaml", "default", errors);
        Assert.Empty(manifests);
        var error = Assert.Single(errors);
        Assert.Equal("input.yaml", error.Source);
        Assert.Equal(1, error.Line);
        Assert.StartsWith("not valid YAML", error.Message, StringComparison.Ordinal);
    }

    private static void AssertLocated(List<InputError> errors, string source)
    {
        foreach (var e in errors)
        {
            Assert.Equal(source, e.Source);
            Assert.True(e.Line is null or >= 1, e.ToString());
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            Assert.DoesNotContain("   at ", e.Message, StringComparison.Ordinal);
        }
    }
}
