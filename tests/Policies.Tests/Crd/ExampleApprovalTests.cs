namespace Admission.Policies.Tests.Crd;

/// <summary>
/// The ChangeApprovals in examples/approvals: each is accepted by the CRD's schema, covers the
/// Deployment in examples/deployment.yaml, and shows the outcome its comment and examples/README.md
/// claim at 2026-03-06T12:00:00Z.
/// </summary>
public class ExampleApprovalTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-03-06T12:00:00Z", CultureInfo.InvariantCulture);

    public static TheoryData<string> Files => new(FileNames());

    [Fact]
    public void There_is_one_file_per_outcome()
    {
        Assert.Equal(
            ["approved.yaml", "expired.yaml", "one-approval.yaml", "self-approval.yaml", "wrong-image.yaml"],
            FileNames());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Example_is_one_ChangeApproval_that_the_schema_accepts(string file)
    {
        var approval = Load(file);

        Assert.Equal("approvals.admission.dev/v1alpha1", (string?)approval["apiVersion"]);
        Assert.Equal("ChangeApproval", (string?)approval["kind"]);
        Assert.Empty(ChangeApprovalCrd.Validate(approval));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Example_covers_the_example_Deployment(string file)
    {
        var approval = Load(file);
        var deployment = Deployment();
        var target = approval["spec"]!["target"]!;

        Assert.Equal("apps", (string?)target["apiGroup"]);
        Assert.Equal((string?)deployment["kind"], (string?)target["kind"]);
        Assert.Equal((string?)deployment["metadata"]!["name"], (string?)target["name"]);
        Assert.Equal((string?)deployment["metadata"]!["namespace"], (string?)approval["metadata"]!["namespace"]);
        Assert.Contains("CREATE", Strings(approval["spec"]!["operations"]));
    }

    [Fact]
    public void Example_names_differ_so_the_folder_can_be_loaded_at_once()
    {
        var names = FileNames().Select(f => (string?)Load(f)["metadata"]!["name"]).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Theory]
    [InlineData("approved.yaml", 2, true, true)]
    [InlineData("one-approval.yaml", 1, true, true)]
    [InlineData("self-approval.yaml", 1, true, true)]
    [InlineData("expired.yaml", 2, false, true)]
    [InlineData("wrong-image.yaml", 2, true, false)]
    public void Example_shows_its_outcome_at_noon(string file, int countedApprovals, bool inWindow, bool coversImages)
    {
        // The facts the decision rests on (contract section 1), read from the file: approvals from
        // distinct approvers other than the requester, notBefore <= now < expiresAt, and every
        // image of the Deployment listed.
        var spec = Load(file)["spec"]!;
        var requester = (string?)spec["requestedBy"];
        var counted = Approvers(spec).Where(a => a != requester).Distinct().Count();
        var notBefore = spec["notBefore"] is { } nb ? Time(nb) : DateTimeOffset.MinValue;
        var window = notBefore <= Now && Now < Time(spec["expiresAt"]!);
        var images = Strings(spec["images"]).ToHashSet();
        var covered = DeploymentImages().All(images.Contains);

        Assert.Equal(countedApprovals, counted);
        Assert.Equal(inWindow, window);
        Assert.Equal(coversImages, covered);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Example_could_be_stored_under_the_CEL_rules(string file)
    {
        // The CRD's create-time CEL rules, restated: expiresAt after notBefore, each approver once,
        // no approval by the requester. self-approval.yaml breaks the last one on purpose, and is
        // the only example that breaks any.
        var storable = file != "self-approval.yaml";
        var spec = Load(file)["spec"]!;
        var approvers = Approvers(spec).ToList();
        var ordered = spec["notBefore"] is not { } nb || Time(spec["expiresAt"]!) > Time(nb);
        var unique = approvers.Distinct().Count() == approvers.Count;
        var notSelf = !approvers.Contains((string?)spec["requestedBy"]);

        Assert.Equal(storable, ordered && unique && notSelf);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Example_binds_the_exact_change_of_the_example_Deployment(string file)
    {
        // Recomputed with the engine, from the manifest as `admission digest` reads it: a test
        // fails when the example and the engine disagree.
        var errors = new List<InputError>();
        var path = RepoPaths.Get("examples", "deployment.yaml");
        var deployment = Assert.Single(Admission.Policies.Manifests.ManifestParser.Read(File.ReadAllText(path), path, "default", errors));
        Assert.Empty(errors);
        var change = Load(file)["spec"]!["change"]!;

        Assert.Equal(Admission.Policies.Digest.ChangeDigest.Of(deployment.Object, AdmissionPolicy.Default), (string?)change["digest"]);
        Assert.Null(change["base"]);
    }

    [Fact]
    public void The_quick_start_approval_binds_the_exact_change_of_its_review()
    {
        // The README's admitted request: examples/quickstart/review-2-5-0.json, an UPDATE.
        using var review = System.Text.Json.JsonDocument.Parse(File.ReadAllText(RepoPaths.Get("examples", "quickstart", "review-2-5-0.json")));
        var request = review.RootElement.GetProperty("request");
        var change = YamlToJson.LoadSingle(RepoPaths.Get("examples", "quickstart", "approved-2-5-0.yaml"))["spec"]!["change"]!;

        Assert.Equal(Admission.Policies.Digest.ChangeDigest.Of(request.GetProperty("object"), AdmissionPolicy.Default), (string?)change["digest"]);
        Assert.Equal(Admission.Policies.Digest.ChangeDigest.Of(request.GetProperty("oldObject"), AdmissionPolicy.Default), (string?)change["base"]);
    }

    [Fact]
    public void The_example_Deployment_has_a_container_and_an_init_container_image()
    {
        Assert.Equal(["registry.example.com/checkout:2.4.1", "registry.example.com/migrate:2.4.1"], DeploymentImages().Order(StringComparer.Ordinal));
    }

    private static string[] FileNames() =>
    [
        .. Directory.GetFiles(RepoPaths.Get("examples", "approvals"), "*.yaml")
            .Select(f => Path.GetFileName(f))
            .Order(StringComparer.Ordinal),
    ];

    private static JsonObject Load(string file) => YamlToJson.LoadSingle(RepoPaths.Get("examples", "approvals", file));

    private static JsonObject Deployment() => YamlToJson.LoadSingle(RepoPaths.Get("examples", "deployment.yaml"));

    private static IEnumerable<string> DeploymentImages()
    {
        var pod = Deployment()["spec"]!["template"]!["spec"]!;
        return new[] { "containers", "initContainers", "ephemeralContainers" }
            .SelectMany(list => pod[list]?.AsArray() ?? [])
            .Select(c => (string)c!["image"]!);
    }

    private static IEnumerable<string?> Approvers(JsonNode spec) =>
        spec["approvals"]?.AsArray().Select(a => (string?)a!["approver"]) ?? [];

    private static IEnumerable<string> Strings(JsonNode? array) =>
        array?.AsArray().Select(n => (string)n!) ?? [];

    private static DateTimeOffset Time(JsonNode value) =>
        DateTimeOffset.Parse((string)value!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
