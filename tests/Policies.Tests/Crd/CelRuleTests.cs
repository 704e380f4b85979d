namespace Admission.Policies.Tests.Crd;

/// <summary>
/// The CRD's CEL rules (x-kubernetes-validations). kube-apiserver compiles and evaluates them on
/// every write, so they hold even when the webhook is bypassed. These tests check that each rule
/// is present, on the node it must sit on, with a message, and that the rule set covers every field
/// it has to; tests/TestApiServer.Tests evaluates them (CelBatteryTests). Transition rules (those using oldSelf) run on
/// UPDATE only, and a rule on an optional field only when both the old and the new object have the
/// field: adding or removing such a field is caught by a has() rule on spec.
/// </summary>
public class CelRuleTests
{
    private const string Immutable = "self == oldSelf";

    /// <summary>The spec fields each with the immutability rule: every one but approvals.</summary>
    private static readonly string[] ImmutableFields = ["target", "operations", "images", "change", "reason", "ticket", "requestedBy", "notBefore", "expiresAt"];

    /// <summary>The optional immutable fields, each kept from being added or removed by a has() rule on spec.</summary>
    private static readonly string[] OptionalImmutableFields = ["notBefore", "ticket", "images", "change"];

    /// <summary>The rules on spec.approvals, each beside the message the CRD gives with it.</summary>
    private static readonly string[] ApprovalRules =
    [
        "self.all(a, self.exists_one(b, b.approver == a.approver))", // each approver may appear only once
        "oldSelf.all(o, self.all(n, n.approver != o.approver || n == o))", // an existing approval cannot be changed, only removed
        "self.filter(n, !oldSelf.exists(o, o.approver == n.approver)).size() <= 1", // at most one approval can be added per update
        "self.all(n, oldSelf.exists(o, o.approver == n.approver) || n == self[self.size() - 1])", // a new approval must be appended at the end
        "oldSelf.hasValue() || self.size() == 0", // (optionalOldSelf, so on create too) must be empty when a ChangeApproval is created
        "self.filter(n, oldSelf.exists(o, o.approver == n.approver)).map(n, n.approver) == oldSelf.filter(o, self.exists(n, n.approver == o.approver)).map(o, o.approver)", // existing approvals cannot be reordered
    ];

    /// <summary>Every rule the CRD must carry, with the node it sits on (path, rule).</summary>
    public static TheoryData<string, string> ExpectedRules
    {
        get
        {
            var rules = new TheoryData<string, string>();
            foreach (var name in ImmutableFields) rules.Add($"spec.{name}", Immutable);
            rules.Add("spec", "!has(self.notBefore) || self.expiresAt > self.notBefore");
            rules.Add("spec", "!has(self.approvals) || self.approvals.all(a, a.approver != self.requestedBy)");
            foreach (var name in OptionalImmutableFields) rules.Add("spec", $"has(self.{name}) == has(oldSelf.{name})");
            foreach (var rule in ApprovalRules) rules.Add("spec.approvals", rule);
            return rules;
        }
    }

    [Theory]
    [MemberData(nameof(ExpectedRules))]
    public void Rule_is_on_its_field(string path, string rule)
    {
        var rules = Rules(ChangeApprovalCrd.Node(path)).Select(r => (string?)r["rule"]);

        Assert.Contains(rule, rules);
    }

    [Fact]
    public void There_are_no_rules_other_than_the_expected_ones()
    {
        var expected = ExpectedRules.Select(row => ((string)row[0], (string)row[1])).ToHashSet();
        var actual = AllRules().Select(r => (r.Path, (string)r.Rule["rule"]!)).ToHashSet();

        Assert.Equal(expected.Order(), actual.Order());
    }

    [Fact]
    public void Every_spec_field_but_approvals_has_an_immutability_rule()
    {
        // Catches a field added to spec later without one.
        var spec = ChangeApprovalCrd.Node("spec");
        var mutable = spec["properties"]!.AsObject()
            .Where(p => p.Key != "approvals")
            .Where(p => !Rules(p.Value!.AsObject()).Any(r => (string?)r["rule"] == Immutable))
            .Select(p => p.Key);

        Assert.Empty(mutable);
    }

    [Fact]
    public void Every_optional_immutable_field_cannot_be_added_or_removed()
    {
        // A transition rule on an optional field does not run when the old or the new object lacks
        // it; a field that is neither required nor defaulted needs a has() rule on spec.
        var spec = ChangeApprovalCrd.Node("spec");
        var required = spec["required"]!.AsArray().Select(n => (string)n!).ToHashSet();
        var specRules = Rules(spec).Select(r => (string)r["rule"]!).ToHashSet();
        var optional = spec["properties"]!.AsObject()
            .Where(p => !required.Contains(p.Key) && !p.Value!.AsObject().ContainsKey("default"))
            .Where(p => Rules(p.Value!.AsObject()).Any(r => (string?)r["rule"] == Immutable))
            .Select(p => p.Key)
            .ToList();

        Assert.Equal(["change", "images", "ticket", "notBefore"], optional);
        Assert.All(optional, field => Assert.Contains($"has(self.{field}) == has(oldSelf.{field})", specRules));
    }

    [Fact]
    public void Every_rule_has_a_message()
    {
        // Without one, kube-apiserver reports the rule's text, which tells a user little.
        Assert.All(AllRules(), r => Assert.False(string.IsNullOrWhiteSpace((string?)r.Rule["message"]), $"{r.Path}: {r.Rule["rule"]}"));
    }

    [Fact]
    public void Immutability_messages_name_the_field()
    {
        foreach (var (path, rule) in AllRules().Where(r => (string?)r.Rule["rule"] == Immutable))
        {
            Assert.Contains(path, (string)rule["message"]!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Transition_rules_sit_on_correlatable_fields()
    {
        // kube-apiserver only allows oldSelf where old and new values can be paired: nodes reached
        // from the root through object properties (or map-type lists), not inside atomic lists.
        var inItems = AllRules().Where(r => ((string)r.Rule["rule"]!).Contains("oldSelf", StringComparison.Ordinal) && r.Path.Contains("[]", StringComparison.Ordinal));

        Assert.Empty(inItems);
    }

    [Fact]
    public void Field_paths_name_properties_of_the_node()
    {
        foreach (var (path, rule) in AllRules().Where(r => r.Rule.ContainsKey("fieldPath")))
        {
            var fieldPath = (string)rule["fieldPath"]!;
            Assert.StartsWith(".", fieldPath, StringComparison.Ordinal);
            var target = path.Length == 0 ? fieldPath[1..] : path + fieldPath;
            Assert.NotNull(ChangeApprovalCrd.Node(target));
        }
    }

    [Fact]
    public void Rules_compare_timestamps_not_strings()
    {
        // With format date-time, CEL sees notBefore and expiresAt as timestamps, so '>' compares
        // instants, not text ("2026-03-06T12:00:00+01:00" is before "2026-03-06T11:30:00Z").
        Assert.Equal("date-time", (string?)ChangeApprovalCrd.Node("spec.notBefore")["format"]);
        Assert.Equal("date-time", (string?)ChangeApprovalCrd.Node("spec.expiresAt")["format"]);
    }

    private static IEnumerable<JsonObject> Rules(JsonObject node) =>
        node["x-kubernetes-validations"]?.AsArray().Select(r => r!.AsObject()) ?? [];

    private static IEnumerable<(string Path, JsonObject Rule)> AllRules() =>
        ChangeApprovalCrd.AllNodes().SelectMany(e => Rules(e.Node).Select(r => (e.Path, r)));
}
