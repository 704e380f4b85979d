namespace Admission.Policies.Tests.Crd;

/// <summary>
/// ChangeApprovals that kube-apiserver must refuse on schema grounds alone (before any CEL rule or
/// webhook), each with the one field at fault. The files in invalid/ are the valid
/// examples/approvals/approved.yaml with one defect each, so every error must point at that field.
/// </summary>
public class InvalidApprovalTests
{
    /// <summary>
    /// Each file, the one location its errors point at, the keyword that must be among them and a
    /// word its message must hold ("-": none asked for; an unknown field has no keyword of its own).
    /// </summary>
    private const string Faults = """
        missing-target.yaml                /spec                           required     target
        missing-target-name.yaml           /spec/target                    required     name
        bad-target-name.yaml               /spec/target/name               pattern      -
        bad-expires-at.yaml                /spec/expiresAt                 format       date-time
        bad-approved-at.yaml               /spec/approvals/1/approvedAt    format       date-time
        unknown-operation.yaml             /spec/operations/1              enum         -
        operations-not-a-list.yaml         /spec/operations                type         array
        empty-operations.yaml              /spec/operations                minItems     -
        empty-reason.yaml                  /spec/reason                    minLength    -
        long-reason.yaml                   /spec/reason                    maxLength    -
        approval-without-approver.yaml     /spec/approvals/1               required     approver
        unknown-spec-field.yaml            /spec/expiresIn                 -            -
        unknown-phase.yaml                 /status/phase                   enum         -
        """;

    public static TheoryData<string, string, string, string> FaultyFiles
    {
        get
        {
            var data = new TheoryData<string, string, string, string>();
            foreach (var row in TextTable.Rows(Faults, 4))
            {
                var (keyword, fragment) = (row[2] == "-" ? "" : row[2], row[3] == "-" ? "" : row[3]);
                data.Add(row[0], row[1], keyword, fragment);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(FaultyFiles))]
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
        var cases = FaultyFiles.Select(row => (string)row[0]);
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
