namespace Admission.TestApiServer.Tests.Cel;

/// <summary>
/// Each CEL rule of config/crd's ChangeApproval, evaluated as kube-apiserver evaluates it: a write
/// that breaks that rule is refused with its message on its field, and every legitimate write passes.
/// </summary>
public class CrdRuleBatteryTests
{
    /// <summary>name, old object (null: create), new object, field, type of the rule's node, message, whether it is the only cause.</summary>
    public static TheoryData<string, JsonObject?, JsonObject, string, string, string, bool> Breaks()
    {
        var stored = Request();
        var approved = Request(("alice", "Approve"));
        var two = Request(("alice", "Approve"), ("bob", "Reject"));
        var data = new TheoryData<string, JsonObject?, JsonObject, string, string, string, bool>
        {
            { "expiry before start", null, With(stored, o => o["spec"]!["expiresAt"] = "2029-12-31T00:00:00Z"), "spec.expiresAt", "object", "spec.expiresAt must be after spec.notBefore", true },
            { "expiry equals start in another offset", null, With(stored, o => o["spec"]!["expiresAt"] = "2030-01-01T01:00:00+01:00"), "spec.expiresAt", "object", "spec.expiresAt must be after spec.notBefore", true },
            { "requester approves", stored, With(stored, o => Approvals(o).Add(Entry("carol"))), "spec.approvals", "object", "the requester cannot approve their own change (an approver equals spec.requestedBy)", true },
            { "requester rejects", stored, With(stored, o => Approvals(o).Add(Entry("carol", "Reject"))), "spec.approvals", "object", "the requester cannot approve their own change (an approver equals spec.requestedBy)", true },
            { "notBefore removed", stored, With(stored, o => o["spec"]!.AsObject().Remove("notBefore")), "spec.notBefore", "object", "spec.notBefore cannot be added or removed after creation; create a new ChangeApproval", true },
            { "ticket removed", stored, With(stored, o => o["spec"]!.AsObject().Remove("ticket")), "spec.ticket", "object", "spec.ticket cannot be added or removed after creation; create a new ChangeApproval", true },
            { "images added", stored, With(stored, o => o["spec"]!["images"] = new JsonArray("nginx:1")), "spec.images", "object", "spec.images cannot be added or removed after creation; create a new ChangeApproval", true },
            { "target edited", stored, With(stored, o => o["spec"]!["target"]!["name"] = "db"), "spec.target", "object", "spec.target is immutable; create a new ChangeApproval", true },
            { "operations edited", stored, With(stored, o => o["spec"]!["operations"] = new JsonArray("CREATE", "UPDATE", "DELETE")), "spec.operations", "array", "spec.operations is immutable; create a new ChangeApproval", true },
            { "images edited", With(stored, o => o["spec"]!["images"] = new JsonArray("nginx:1")), With(stored, o => o["spec"]!["images"] = new JsonArray("nginx:2")), "spec.images", "array", "spec.images is immutable; create a new ChangeApproval", true },
            { "reason edited", stored, With(stored, o => o["spec"]!["reason"] = "Something else"), "spec.reason", "string", "spec.reason is immutable; create a new ChangeApproval", true },
            { "ticket edited", stored, With(stored, o => o["spec"]!["ticket"] = "CHG-2"), "spec.ticket", "string", "spec.ticket is immutable; create a new ChangeApproval", true },
            { "requestedBy edited", stored, With(stored, o => o["spec"]!["requestedBy"] = "mallory"), "spec.requestedBy", "string", "spec.requestedBy is immutable", true },
            { "notBefore edited", stored, With(stored, o => o["spec"]!["notBefore"] = "2030-01-01T00:30:00Z"), "spec.notBefore", "string", "spec.notBefore is immutable; create a new ChangeApproval", true },
            { "expiresAt edited", stored, With(stored, o => o["spec"]!["expiresAt"] = "2030-01-03T00:00:00Z"), "spec.expiresAt", "string", "spec.expiresAt is immutable; create a new ChangeApproval", true },
            { "approval present at creation", null, approved, "spec.approvals", "array", "spec.approvals must be empty when a ChangeApproval is created; approvers add their entries afterwards", true },
            { "rejection present at creation", null, Request(("bob", "Reject")), "spec.approvals", "array", "spec.approvals must be empty when a ChangeApproval is created; approvers add their entries afterwards", true },
            // The stored list already holds a duplicate (written before the rule existed): only this rule fails.
            { "approver twice", With(approved, o => Approvals(o).Add(Entry("alice"))), With(approved, o => { Approvals(o).Add(Entry("alice")); Approvals(o).Add(Entry("bob")); }), "spec.approvals", "array", "each approver may appear only once in spec.approvals", true },
            { "entry edited", approved, With(approved, o => Approvals(o)[0]!["comment"] = "edited"), "spec.approvals", "array", "an existing approval cannot be changed, only removed", true },
            { "entry's time edited", approved, With(approved, o => Approvals(o)[0]!["approvedAt"] = "2030-01-01T02:00:00Z"), "spec.approvals", "array", "an existing approval cannot be changed, only removed", true },
            // Two new entries: one of them is not last either, so the append rule fails too.
            { "two added", stored, With(stored, o => { Approvals(o).Add(Entry("alice")); Approvals(o).Add(Entry("bob")); }), "spec.approvals", "array", "at most one approval can be added per update", false },
            { "inserted first", approved, With(approved, o => Approvals(o).Insert(0, Entry("bob"))), "spec.approvals", "array", "a new approval must be appended at the end of spec.approvals", true },
            { "reordered", two, With(two, o => { var first = Approvals(o)[0]!.DeepClone(); Approvals(o).RemoveAt(0); Approvals(o).Add(first); }), "spec.approvals", "array", "existing approvals cannot be reordered", true },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(Breaks))]
    public void A_write_breaking_one_rule_is_refused_with_its_message(string name, JsonObject? old, JsonObject updated, string field, string type, string message, bool only)
    {
        var status = Refusal(updated, old);

        Assert.True(status is not null, $"{name}: allowed");
        Assert.Equal(422, (int)status["code"]!);
        Assert.Equal("Invalid", (string?)status["reason"]);
        var causes = status["details"]!["causes"]!.AsArray().Select(c => ((string?)c!["field"], (string?)c["message"], (string?)c["reason"])).ToList();
        var expected = ((string?)field, $"Invalid value: \"{type}\": {message}", (string?)"FieldValueInvalid");
        Assert.True(causes.Contains(expected), $"{name}: {status["message"]}");
        if (only)
        {
            Assert.True(causes.Count == 1, $"{name}: {status["message"]}");
            Assert.Equal($"ChangeApproval.approvals.admission.dev \"web-1\" is invalid: {field}: {expected.Item2}", (string?)status["message"]);
        }
    }

    public static TheoryData<string, JsonObject?, JsonObject> Legitimate()
    {
        var stored = Request();
        var approved = Request(("alice", "Approve"));
        return new TheoryData<string, JsonObject?, JsonObject>
        {
            { "create", null, stored },
            { "create without approvals (defaulted to [])", null, With(stored, o => o["spec"]!.AsObject().Remove("approvals")) },
            { "create without the optional fields", null, With(stored, o => { var s = o["spec"]!.AsObject(); s.Remove("notBefore"); s.Remove("ticket"); s.Remove("operations"); s.Remove("approvals"); }) },
            // As timestamps, 12:00+01:00 is before 11:30Z; as text it would sort after.
            { "create with offsets", null, With(stored, o => { o["spec"]!["notBefore"] = "2030-01-01T12:00:00+01:00"; o["spec"]!["expiresAt"] = "2030-01-01T11:30:00Z"; }) },
            { "approve", stored, approved },
            { "reject", stored, Request(("alice", "Reject")) },
            { "second approval", approved, Request(("alice", "Approve"), ("bob", "Approve")) },
            { "withdraw own", Request(("alice", "Approve"), ("bob", "Approve")), Request(("bob", "Approve")) },
            { "withdraw and approve again later", Request(("bob", "Approve")), Request(("bob", "Approve"), ("alice", "Approve")) },
            { "approve an object stored without approvals", With(stored, o => o["spec"]!.AsObject().Remove("approvals")), approved },
            { "labels", approved, With(approved, o => o["metadata"]!["labels"] = new JsonObject { ["team"] = "payments" }) },
            { "status", approved, With(approved, o => o["status"] = new JsonObject { ["phase"] = "Pending", ["approvedBy"] = new JsonArray("alice") }) },
            { "nothing changed", approved, approved },
        };
    }

    [Theory]
    [MemberData(nameof(Legitimate))]
    public void A_legitimate_write_passes(string name, JsonObject? old, JsonObject updated)
    {
        var status = Refusal(updated, old);

        Assert.True(status is null, $"{name}: {status?["message"]}");
    }

    [Fact]
    public void An_object_stored_without_approvals_cannot_be_given_two_at_once()
    {
        // Without the default, the list rules would have no oldSelf to compare with.
        var stored = With(Request(), o => o["spec"]!.AsObject().Remove("approvals"));

        var status = Refusal(Request(("alice", "Approve"), ("bob", "Approve")), stored);

        Assert.NotNull(status);
        Assert.Contains("at most one approval can be added per update", (string?)status["message"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_failing_on_an_unchanged_value_is_only_a_warning()
    {
        // Ratcheting (CRDValidationRatcheting, on by default since 1.30): a duplicate stored before
        // the rule existed does not block an update that leaves the list alone.
        var stored = With(Request(("alice", "Approve")), o => Approvals(o).Add(Entry("alice")));
        var warnings = new List<string>();

        var status = Refusal(With(stored, o => o["metadata"]!["labels"] = new JsonObject { ["a"] = "b" }), stored, warnings);

        Assert.Null(status);
        Assert.Contains("spec.approvals: Invalid value: \"array\": each approver may appear only once in spec.approvals", warnings);
    }
}
