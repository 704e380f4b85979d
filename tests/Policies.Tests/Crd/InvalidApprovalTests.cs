namespace Admission.Policies.Tests.Crd;

/// <summary>
/// ChangeApprovals that kube-apiserver must refuse on schema grounds alone (before any CEL rule or
/// webhook), each with the one field at fault. The files in invalid/ are the valid
/// examples/approvals/approved.yaml with one defect each, so every error must point at that field.
/// </summary>
public class InvalidApprovalTests
{
    [Theory]
    [InlineData("missing-target.yaml", "/spec", "required", "target")]
    [InlineData("missing-target-name.yaml", "/spec/target", "required", "name")]
    [InlineData("bad-target-name.yaml", "/spec/target/name", "pattern", "")]
    [InlineData("bad-expires-at.yaml", "/spec/expiresAt", "format", "date-time")]
    [InlineData("bad-approved-at.yaml", "/spec/approvals/1/approvedAt", "format", "date-time")]
    [InlineData("unknown-operation.yaml", "/spec/operations/1", "enum", "")]
    [InlineData("operations-not-a-list.yaml", "/spec/operations", "type", "array")]
    [InlineData("empty-operations.yaml", "/spec/operations", "minItems", "")]
    [InlineData("empty-reason.yaml", "/spec/reason", "minLength", "")]
    [InlineData("long-reason.yaml", "/spec/reason", "maxLength", "")]
    [InlineData("approval-without-approver.yaml", "/spec/approvals/1", "required", "approver")]
    [InlineData("unknown-spec-field.yaml", "/spec/expiresIn", "", "")]
    [InlineData("unknown-phase.yaml", "/status/phase", "enum", "")]
    public void Schema_rejects_the_file_at_the_faulty_field(string file, string location, string keyword, string messageFragment)
    {
        var errors = ChangeApprovalCrd.Validate(Load(file));

        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal(location, e.InstanceLocation));
        if (keyword.Length > 0)
        {
            Assert.Contains(errors, e => e.Keyword == keyword && e.Message.Contains(messageFragment, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public void Every_file_in_invalid_is_covered_by_a_case()
    {
        var cases = typeof(InvalidApprovalTests).GetMethod(nameof(Schema_rejects_the_file_at_the_faulty_field))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false)
            .Cast<InlineDataAttribute>()
            .Select(a => (string)a.GetData(null!).Single()[0]);
        var files = Directory.GetFiles(RepoPaths.Get("tests", "Policies.Tests", "Crd", "invalid"), "*.yaml").Select(Path.GetFileName);

        Assert.Equal(files.Order(StringComparer.Ordinal), cases.Order(StringComparer.Ordinal));
    }

    public static TheoryData<string, string, bool> Boundaries => new()
    {
        { "reason", "x", true },
        { "reason", new string('x', 1024), true },
        { "reason", new string('x', 1025), false },
        { "target.name", new string('a', 253), true },
        { "target.name", new string('a', 254), false },
        { "expiresAt", "2026-03-06T18:00:00+01:00", true },
        { "expiresAt", "2026-03-06T18:00:00.123456Z", true },
        { "expiresAt", "tomorrow", false },
        { "expiresAt", "03/06/2026 18:00", false },
        { "ticket", "", false },
        { "requestedBy", "", false },
        { "requestedBy", "system:serviceaccount:ci:" + new string('d', 253), true },
        { "target.apiGroup", "", true },
        { "target.apiGroup", "apps/v1", false },
    };

    [Theory]
    [MemberData(nameof(Boundaries))]
    public void Limits_are_exact(string field, string value, bool accepted)
    {
        var approval = Approved();
        var parent = approval["spec"]!.AsObject();
        var parts = field.Split('.');
        foreach (var part in parts[..^1])
        {
            parent = parent[part]!.AsObject();
        }

        parent[parts[^1]] = value;

        var errors = ChangeApprovalCrd.Validate(approval);

        Assert.Equal(accepted, errors.Count == 0);
        Assert.All(errors, e => Assert.Equal("/spec/" + field.Replace('.', '/'), e.InstanceLocation));
    }

    [Theory]
    [InlineData("images", 64, true)]
    [InlineData("images", 65, false)]
    [InlineData("approvals", 32, true)]
    [InlineData("approvals", 33, false)]
    public void List_sizes_are_bounded(string field, int count, bool accepted)
    {
        var approval = Approved();
        approval["spec"]![field] = field == "images"
            ? new JsonArray([.. Enumerable.Range(0, count).Select(i => (JsonNode)JsonValue.Create($"registry.example.com/app-{i}:1.0")!)])
            : new JsonArray([.. Enumerable.Range(0, count).Select(i => (JsonNode)new JsonObject { ["approver"] = $"approver-{i}", ["approvedAt"] = "2026-03-06T09:00:00Z" })]);

        var errors = ChangeApprovalCrd.Validate(approval);

        Assert.Equal(accepted, errors.Count == 0);
        Assert.All(errors, e => Assert.Equal("/spec/" + field, e.InstanceLocation));
    }

    private static JsonObject Load(string file) => YamlToJson.LoadSingle(RepoPaths.Get("tests", "Policies.Tests", "Crd", "invalid", file));

    private static JsonObject Approved() => YamlToJson.LoadSingle(RepoPaths.Get("examples", "approvals", "approved.yaml"));
}
