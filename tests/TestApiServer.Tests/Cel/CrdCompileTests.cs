using Xunit.Abstractions;

namespace Admission.TestApiServer.Tests.Cel;

/// <summary>
/// What kube-apiserver checks when the CRD is created: each row changes the repository's CRD to
/// break one check, and loading it fails with kube-apiserver's message on the rule's path.
/// </summary>
public class CrdCompileTests(ITestOutputHelper output)
{
    private const string Approvals = "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[approvals]";

    private static JsonObject Crd() => (JsonObject)YamlDocuments.Load(Path.Combine(new TestApiServerOptions().CustomResourceDefinitions!,
        "changeapprovals.approvals.admission.dev.yaml")).Single()!;

    private static JsonObject Node(JsonObject crd, params string[] properties)
    {
        var node = crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();
        foreach (var p in properties)
        {
            node = p == "[]" ? node["items"]!.AsObject() : node["properties"]![p]!.AsObject();
        }

        return node;
    }

    private static void AddRule(JsonObject node, string rule) =>
        ((node["x-kubernetes-validations"] ??= new JsonArray()).AsArray()).Add(new JsonObject { ["rule"] = rule, ["message"] = "test rule" });

    private static string Refusal(JsonObject crd)
    {
        var e = Assert.Throws<CrdInvalidException>(() => new CustomResourceValidator().Add(crd));
        return e.Message;
    }

    [Fact]
    public void The_repository_crd_compiles_within_the_budget()
    {
        var validator = new CustomResourceValidator();
        validator.Add(Crd());

        var total = validator.TotalCost("approvals.admission.dev", "v1alpha1", "changeapprovals");
        foreach (var (rule, cost) in validator.RuleCosts("approvals.admission.dev", "v1alpha1", "changeapprovals"))
        {
            output.WriteLine($"{cost,12:N0}  {rule}");
            Assert.InRange(cost, 0, CrdCompiler.RuleCostLimit);
        }

        output.WriteLine($"{total,12:N0}  total");
        Assert.InRange(total, 1, CrdCompiler.CrdCostLimit);
    }

    [Fact]
    public void A_rule_that_is_not_a_bool_is_refused()
    {
        var crd = Crd();
        var index = Node(crd, "spec", "approvals")["x-kubernetes-validations"]!.AsArray().Count;
        AddRule(Node(crd, "spec", "approvals"), "self.size()");

        Assert.Equal($"CustomResourceDefinition.apiextensions.k8s.io \"changeapprovals.approvals.admission.dev\" is invalid: " +
            $"{Approvals}.x-kubernetes-validations[{index}].rule: Invalid value: \"self.size()\": cel expression must evaluate to a bool", Refusal(crd));
    }

    [Theory]
    [InlineData("operations", "self == oldSelf", "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[operations].items")]
    [InlineData("approvals", "self.approver == oldSelf.approver", "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[approvals].items")]
    public void OldSelf_on_an_item_of_a_set_or_atomic_list_is_refused(string list, string rule, string within)
    {
        var crd = Crd();
        AddRule(Node(crd, "spec", list, "[]"), rule);

        Assert.EndsWith($".items.x-kubernetes-validations[0].rule: Invalid value: \"{rule}\": oldSelf cannot be used on the uncorrelatable portion of the schema within {within}",
            Refusal(crd), StringComparison.Ordinal);
    }

    [Fact]
    public void OldSelf_on_an_item_of_a_map_list_is_allowed()
    {
        var crd = Crd();
        const string rule = "self.status == oldSelf.status || self.lastTransitionTime != oldSelf.lastTransitionTime";
        AddRule(Node(crd, "status", "conditions", "[]"), rule);

        var validator = new CustomResourceValidator();
        validator.Add(crd);
        // Compiled and served: the rule is among the version's costed rules.
        Assert.Contains(rule, validator.RuleCosts("approvals.admission.dev", "v1alpha1", "changeapprovals").Select(r => r.Rule));
    }

    [Fact]
    public void A_rule_over_the_cost_budget_is_refused()
    {
        // Without maxItems and maxLength, a pairwise comparison of comments is costed at the size
        // of a 3 MiB request.
        var crd = Crd();
        var approvals = Node(crd, "spec", "approvals");
        approvals.Remove("maxItems");
        Node(crd, "spec", "approvals", "[]", "comment").Remove("maxLength");
        var index = approvals["x-kubernetes-validations"]!.AsArray().Count;
        AddRule(approvals, "self.all(a, self.all(b, a.comment != b.comment || a == b))");

        var message = Refusal(crd);

        Assert.Contains($"{Approvals}.x-kubernetes-validations[{index}].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x " +
            "(try simplifying the rule(s), or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_together_over_the_crd_budget_are_refused()
    {
        // Each rule alone fits (200 × 200 comparisons of 512-character approvers: about 2.3M of the
        // 10M per rule); fifty of them exceed the 100M per CRD.
        var crd = Crd();
        var approvals = Node(crd, "spec", "approvals");
        approvals["maxItems"] = 200;
        var perRule = "self.all(a, self.all(b, a.approver != b.approver || a.approvedAt == b.approvedAt))";
        for (var i = 0; i < 50; i++)
        {
            AddRule(approvals, perRule + $" || {i} == {i}");
        }

        var message = Refusal(crd);

        Assert.Contains("spec.versions[0].schema.openAPIV3Schema: Forbidden: x-kubernetes-validations estimated rule & messageExpression cost total for entire OpenAPIv3 schema exceeds budget by factor of ",
            message, StringComparison.Ordinal);
        Assert.DoesNotContain("estimated rule cost exceeds", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("self.nosuchfield == 'x'", "compilation failed: ERROR: <input>:1:1: undefined field 'nosuchfield'")]
    [InlineData("unknownVariable", "compilation failed: ERROR: <input>:1:1: undeclared reference to 'unknownVariable' (in container '')")]
    [InlineData("self.reason ==", "compilation failed: ERROR: <input>:1:15: Syntax error:")]
    public void A_rule_that_does_not_compile_is_refused(string rule, string detail)
    {
        var crd = Crd();
        Node(crd, "spec")["x-kubernetes-validations"] = new JsonArray(new JsonObject { ["rule"] = rule });

        Assert.Contains($"properties[spec].x-kubernetes-validations[0].rule: Invalid value: \"{rule}\": {detail}", Refusal(crd), StringComparison.Ordinal);
    }

    [Fact]
    public void OptionalOldSelf_on_a_rule_without_oldSelf_is_refused()
    {
        var crd = Crd();
        Node(crd, "spec")["x-kubernetes-validations"] = new JsonArray(new JsonObject { ["rule"] = "has(self.reason)", ["optionalOldSelf"] = true });

        Assert.EndsWith("properties[spec].x-kubernetes-validations[0].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule", Refusal(crd), StringComparison.Ordinal);
    }
}
