namespace Admission.Policies.Tests.Rules;

/// <summary>Contract section 1: reading a ChangeApproval, and every problem reported with its field path.</summary>
public class ChangeApprovalReaderTests
{
    private static ChangeApproval? Read(JsonObject node, List<InputError> errors) =>
        ChangeApprovalReader.Read(JsonSerializer.SerializeToElement(node), errors, "approvals.yaml");

    [Fact]
    public void A_complete_approval_is_read_field_by_field()
    {
        var source = new Approval { Ticket = "CHG-1", Images = [Image] }.Covering("UPDATE", "DELETE")
            with { Approvals = [new Entry("alice", Now.AddMinutes(-3), "checked the canary")] };
        var errors = new List<InputError>();

        var a = Read(source.ToNode(), errors);

        Assert.Empty(errors);
        Assert.NotNull(a);
        Assert.Equal("payments", a.Namespace);
        Assert.Equal("checkout-2-4-1", a.Name);
        Assert.Equal(new ApprovalTarget("apps", "Deployment", "checkout"), a.Target);
        Assert.Equal([Operation.Update, Operation.Delete], a.Operations);
        Assert.Equal([Image], a.Images);
        Assert.Equal("Roll out 2.4.1, fixes INC-4411", a.Reason);
        Assert.Equal("CHG-1", a.Ticket);
        Assert.Equal(Requester, a.RequestedBy);
        Assert.Equal(Now.AddHours(-1), a.NotBefore);
        Assert.Equal(Now.AddHours(3), a.ExpiresAt);
        Assert.Equal([new ApprovalEntry("alice", Now.AddMinutes(-3), "checked the canary")], a.Approvals);
    }

    [Fact]
    public void Defaults_apply_apiGroup_apps_and_operations_create_update()
    {
        var node = new Approval { ApiGroup = null, NotBefore = null }.ToNode();
        var errors = new List<InputError>();

        var a = Read(node, errors);

        Assert.Empty(errors);
        Assert.Equal("apps", a!.Target.ApiGroup);
        Assert.Equal([Operation.Create, Operation.Update], a.Operations);
        Assert.Null(a.NotBefore);
        Assert.Empty(a.Images);
    }

    [Fact]
    public void An_offset_time_is_the_same_instant_as_utc()
    {
        var node = new Approval().ToNode();
        node["spec"]!["expiresAt"] = "2026-03-06T16:00:00+01:00";

        var a = Read(node, []);

        Assert.Equal(new DateTimeOffset(2026, 3, 6, 15, 0, 0, TimeSpan.Zero), a!.ExpiresAt);
    }

    private static JsonObject Spec(JsonObject root) => (JsonObject)root["spec"]!;

    private static JsonObject Target(JsonObject root) => (JsonObject)Spec(root)["target"]!;

    public static readonly Table<(Action<JsonObject> Break, string[] Fields)> Broken = new()
    {
        { "spec missing", (n => n.Remove("spec"), ["spec"]) },
        { "spec.target missing", (n => Spec(n).Remove("target"), ["spec.target"]) },
        { "spec.target.kind missing", (n => Target(n).Remove("kind"), ["spec.target.kind"]) },
        { "spec.target.name missing", (n => Target(n).Remove("name"), ["spec.target.name"]) },
        { "spec.target.name empty", (n => Target(n)["name"] = "", ["spec.target.name"]) },
        { "spec.expiresAt missing", (n => Spec(n).Remove("expiresAt"), ["spec.expiresAt"]) },
        { "spec.expiresAt not a date", (n => Spec(n)["expiresAt"] = "tomorrow", ["spec.expiresAt"]) },
        { "spec.expiresAt a date without a time", (n => Spec(n)["expiresAt"] = "2026-03-06", ["spec.expiresAt"]) },
        { "spec.expiresAt without an offset", (n => Spec(n)["expiresAt"] = "2026-03-06T18:00:00", ["spec.expiresAt"]) },
        { "spec.expiresAt impossible date", (n => Spec(n)["expiresAt"] = "2026-02-30T18:00:00Z", ["spec.expiresAt"]) },
        { "spec.expiresAt a number", (n => Spec(n)["expiresAt"] = 1767225600, ["spec.expiresAt"]) },
        { "spec.notBefore not a date", (n => Spec(n)["notBefore"] = "soon", ["spec.notBefore"]) },
        { "spec.operations unknown value", (n => Spec(n)["operations"] = new JsonArray("CREATE", "PATCH"), ["spec.operations[1]"]) },
        { "spec.operations lower case", (n => Spec(n)["operations"] = new JsonArray("delete"), ["spec.operations[0]"]) },
        { "spec.operations CONNECT", (n => Spec(n)["operations"] = new JsonArray("CONNECT"), ["spec.operations[0]"]) },
        { "spec.operations not a list", (n => Spec(n)["operations"] = "CREATE", ["spec.operations"]) },
        { "spec.images item not a string", (n => Spec(n)["images"] = new JsonArray(42), ["spec.images[0]"]) },
        { "spec.images item empty", (n => Spec(n)["images"] = new JsonArray("a:1", ""), ["spec.images[1]"]) },
        { "spec.reason missing", (n => Spec(n).Remove("reason"), ["spec.reason"]) },
        { "spec.reason too long", (n => Spec(n)["reason"] = new string('x', 1025), ["spec.reason"]) },
        { "spec.requestedBy missing", (n => Spec(n).Remove("requestedBy"), ["spec.requestedBy"]) },
        { "spec.approvals not a list", (n => Spec(n)["approvals"] = "alice", ["spec.approvals"]) },
        { "spec.approvals[0].approver missing", (n => Spec(n)["approvals"] = new JsonArray(new JsonObject { ["approvedAt"] = "2026-03-06T11:00:00Z" }), ["spec.approvals[0].approver"]) },
        {
            "spec.approvals[1].approvedAt not a date",
            (n => Spec(n)["approvals"] = new JsonArray(
                new JsonObject { ["approver"] = "alice", ["approvedAt"] = "2026-03-06T11:00:00Z" },
                new JsonObject { ["approver"] = "bob", ["approvedAt"] = "yesterday" }), ["spec.approvals[1].approvedAt"])
        },
        { "metadata.name missing", (n => ((JsonObject)n["metadata"]!).Remove("name"), ["metadata.name"]) },
        {
            "several fields missing at once",
            (n => { Target(n).Remove("kind"); Spec(n).Remove("expiresAt"); Spec(n).Remove("reason"); Spec(n)["operations"] = new JsonArray("PATCH"); },
             ["spec.target.kind", "spec.operations[0]", "spec.reason", "spec.expiresAt"])
        },
    };

    [Theory, RowsOf(nameof(Broken))]
    public void Problems_are_reported_with_their_field_paths(string name)
    {
        var (breakIt, fields) = Broken[name];
        var node = new Approval().ToNode();
        breakIt(node);
        var errors = new List<InputError>();

        var approval = Read(node, errors);

        Assert.Null(approval);
        Assert.Equal(fields.Order(StringComparer.Ordinal), errors.Select(e => e.Field).Order(StringComparer.Ordinal));
        Assert.All(errors, e => Assert.StartsWith("approvals.yaml: " + e.Field + ": ", e.ToString(), StringComparison.Ordinal));
    }
}
