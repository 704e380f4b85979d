namespace Admission.Policies.Tests.Crd;

/// <summary>
/// The AdmissionReview bodies in examples/reviews have the shape kube-apiserver sends: the
/// fields that go together for each operation, and objects that match the request line.
/// </summary>
public class ExampleReviewTests
{
    public static TheoryData<string, string, string, string, string, bool> Reviews => new()
    {
        // file, operation, kind (group/version/Kind), resource (group/version/resource), subresource, dryRun
        { "deployment-create.json", "CREATE", "apps/v1/Deployment", "apps/v1/deployments", "", false },
        { "deployment-update-denied.json", "UPDATE", "apps/v1/Deployment", "apps/v1/deployments", "", false },
        { "deployment-update-dryrun.json", "UPDATE", "apps/v1/Deployment", "apps/v1/deployments", "", true },
        { "deployment-delete.json", "DELETE", "apps/v1/Deployment", "apps/v1/deployments", "", false },
        { "deployment-scale.json", "UPDATE", "autoscaling/v1/Scale", "apps/v1/deployments", "scale", false },
        { "changeapproval-approve.json", "UPDATE", "approvals.admission.dev/v1alpha1/ChangeApproval", "approvals.admission.dev/v1alpha1/changeapprovals", "", false },
        { "namespace-unlabel.json", "UPDATE", "/v1/Namespace", "/v1/namespaces", "", false },
    };

    [Fact]
    public void Every_file_is_listed()
    {
        var files = Directory.GetFiles(RepoPaths.Get("examples", "reviews"), "*.json").Select(f => Path.GetFileName(f));

        Assert.Equal(files.Order(StringComparer.Ordinal), Reviews.Select(row => (string)row[0]).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Reviews))]
    public void Review_has_the_shape_kube_apiserver_sends(string file, string operation, string kind, string resource, string subResource, bool dryRun)
    {
        var review = Load(file);
        var request = review["request"]!;

        Assert.Equal("admission.k8s.io/v1", (string?)review["apiVersion"]);
        Assert.Equal("AdmissionReview", (string?)review["kind"]);
        Assert.True(Guid.TryParse((string?)request["uid"], out _));
        Assert.Equal(operation, (string?)request["operation"]);
        Assert.Equal(kind, Gvk(request["kind"]!, "kind"));
        Assert.Equal(kind, Gvk(request["requestKind"]!, "kind"));
        Assert.Equal(resource, Gvk(request["resource"]!, "resource"));
        Assert.Equal(resource, Gvk(request["requestResource"]!, "resource"));
        Assert.Equal(subResource, (string?)request["subResource"] ?? "");
        Assert.Equal(dryRun, (bool?)request["dryRun"]);
        Assert.False(string.IsNullOrEmpty((string?)request["userInfo"]!["username"]));
        Assert.Contains("system:authenticated", request["userInfo"]!["groups"]!.AsArray().Select(g => (string?)g));

        var options = request["options"]!;
        Assert.Equal("meta.k8s.io/v1", (string?)options["apiVersion"]);
        Assert.Equal(operation switch { "CREATE" => "CreateOptions", "UPDATE" => "UpdateOptions", _ => "DeleteOptions" }, (string?)options["kind"]);
        Assert.Equal(dryRun, options["dryRun"] is JsonArray { Count: > 0 });

        // CREATE has no oldObject, DELETE no object; both carry the request's kind and name.
        Assert.Equal(operation == "DELETE", request["object"] is null);
        Assert.Equal(operation == "CREATE", request["oldObject"] is null);
        foreach (var obj in new[] { request["object"], request["oldObject"] }.OfType<JsonNode>())
        {
            var version = kind[..kind.LastIndexOf('/')].TrimStart('/');
            Assert.Equal(version, (string?)obj["apiVersion"]);
            Assert.Equal(kind[(kind.LastIndexOf('/') + 1)..], (string?)obj["kind"]);
            Assert.Equal((string?)request["name"], (string?)obj["metadata"]!["name"]);
            Assert.Equal((string?)request["namespace"], (string?)obj["metadata"]!["namespace"] ?? (string?)obj["metadata"]!["name"]);
        }
    }

    [Fact]
    public void Request_uids_are_distinct()
    {
        var uids = Reviews.Select(row => (string?)Load((string)row[0])["request"]!["uid"]).ToList();

        Assert.Equal(uids.Count, uids.Distinct().Count());
    }

    [Theory]
    [InlineData("deployment-update-denied.json")]
    [InlineData("deployment-update-dryrun.json")]
    public void Update_changes_both_images_from_2_4_0_to_2_4_1(string file)
    {
        var request = Load(file)["request"]!;

        Assert.Equal(["registry.example.com/checkout:2.4.0", "registry.example.com/migrate:2.4.0"], Images(request["oldObject"]!));
        Assert.Equal(["registry.example.com/checkout:2.4.1", "registry.example.com/migrate:2.4.1"], Images(request["object"]!));
        Assert.Equal((int?)request["oldObject"]!["metadata"]!["generation"] + 1, (int?)request["object"]!["metadata"]!["generation"]);
        Assert.True(JsonNode.DeepEquals(request["oldObject"]!["status"], request["object"]!["status"]));
    }

    [Fact]
    public void Scale_changes_replicas_from_3_to_5_only()
    {
        var request = Load("deployment-scale.json")["request"]!;

        Assert.Equal(3, (int?)request["oldObject"]!["spec"]!["replicas"]);
        Assert.Equal(5, (int?)request["object"]!["spec"]!["replicas"]);
        Assert.Equal("scale", (string?)request["requestSubResource"]);
    }

    [Fact]
    public void Approve_appends_only_the_requesting_users_entry()
    {
        var request = Load("changeapproval-approve.json")["request"]!;
        var user = (string?)request["userInfo"]!["username"];
        var oldSpec = request["oldObject"]!["spec"]!.AsObject();
        var newSpec = request["object"]!["spec"]!.AsObject();
        var oldApprovals = oldSpec["approvals"]!.AsArray();
        var newApprovals = newSpec["approvals"]!.AsArray();

        Assert.Contains("tier1-approvers", request["userInfo"]!["groups"]!.AsArray().Select(g => (string?)g));
        Assert.Equal(oldApprovals.Count + 1, newApprovals.Count);
        Assert.Equal(user, (string?)newApprovals[^1]!["approver"]);
        Assert.NotEqual(user, (string?)newSpec["requestedBy"]);
        Assert.All(Enumerable.Range(0, oldApprovals.Count), i => Assert.True(JsonNode.DeepEquals(oldApprovals[i], newApprovals[i])));
        Assert.All(newSpec.Where(p => p.Key != "approvals"), p => Assert.True(JsonNode.DeepEquals(p.Value, oldSpec[p.Key]), p.Key));
    }

    [Fact]
    public void Approve_carries_objects_that_the_CRD_schema_accepts()
    {
        var request = Load("changeapproval-approve.json")["request"]!;

        Assert.Empty(ChangeApprovalCrd.Validate(request["oldObject"]));
        Assert.Empty(ChangeApprovalCrd.Validate(request["object"]));
    }

    [Fact]
    public void Unlabel_removes_only_the_tier_label()
    {
        var request = Load("namespace-unlabel.json")["request"]!;
        var oldLabels = request["oldObject"]!["metadata"]!["labels"]!.AsObject();
        var newLabels = request["object"]!["metadata"]!["labels"]!.AsObject();

        Assert.Equal("1", (string?)oldLabels["approvals.admission.dev/tier"]);
        Assert.Equal(oldLabels.Select(p => p.Key).Where(k => k != "approvals.admission.dev/tier"), newLabels.Select(p => p.Key));
    }

    private static JsonObject Load(string file) =>
        JsonNode.Parse(File.ReadAllText(RepoPaths.Get("examples", "reviews", file)))!.AsObject();

    private static string Gvk(JsonNode node, string last) => $"{node["group"]}/{node["version"]}/{node[last]}";

    private static string[] Images(JsonNode deployment)
    {
        var pod = deployment["spec"]!["template"]!["spec"]!;
        return [.. new[] { "containers", "initContainers" }
            .SelectMany(list => pod[list]?.AsArray() ?? [])
            .Select(c => (string)c!["image"]!)
            .Order(StringComparer.Ordinal)];
    }
}
