namespace Admission.Policies.Tests.Crd;

/// <summary>
/// The CustomResourceDefinition in config/crd: names, version, subresources, printer columns, and
/// the rules kube-apiserver applies before it accepts a CRD (a structural schema, valid defaults,
/// list-map keys that are required).
/// </summary>
public class CrdDefinitionTests
{
    private static readonly string[] StructuralTypes = ["object", "array", "string", "integer", "number", "boolean"];

    [Fact]
    public void The_file_holds_one_CustomResourceDefinition()
    {
        var documents = YamlToJson.LoadAll(ChangeApprovalCrd.FilePath);

        Assert.Single(documents);
        Assert.Equal("apiextensions.k8s.io/v1", (string?)documents[0]!["apiVersion"]);
        Assert.Equal("CustomResourceDefinition", (string?)documents[0]!["kind"]);
    }

    /// <summary>A field of the definition, and the contract's value for it.</summary>
    public static TheoryData<string, string> ContractNames => TextTable.TwoColumns("""
        metadata.name          changeapprovals.approvals.admission.dev
        spec.group             approvals.admission.dev
        spec.scope             Namespaced
        spec.names.kind        ChangeApproval
        spec.names.listKind    ChangeApprovalList
        spec.names.plural      changeapprovals
        spec.names.singular    changeapproval
        """);

    [Theory]
    [MemberData(nameof(ContractNames))]
    public void Names_follow_the_contract(string path, string expected)
    {
        Assert.Equal(expected, (string?)At(ChangeApprovalCrd.Definition, path));
    }

    [Fact]
    public void The_name_is_plural_dot_group_as_kube_apiserver_requires()
    {
        var spec = ChangeApprovalCrd.Definition["spec"]!;

        Assert.Equal($"{spec["names"]!["plural"]}.{spec["group"]}", (string?)ChangeApprovalCrd.Definition["metadata"]!["name"]);
    }

    [Theory]
    [InlineData("shortNames", new[] { "approval" })]
    [InlineData("categories", new[] { "approvals" })]
    public void Short_names_and_categories(string key, string[] expected)
    {
        var actual = ChangeApprovalCrd.Definition["spec"]!["names"]![key]!.AsArray().Select(n => (string?)n);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Only_v1alpha1_is_served_and_stored()
    {
        var versions = ChangeApprovalCrd.Definition["spec"]!["versions"]!.AsArray();

        var version = Assert.Single(versions)!;
        Assert.Equal("v1alpha1", (string?)version["name"]);
        Assert.True((bool?)version["served"]);
        Assert.True((bool?)version["storage"]);
    }

    [Fact]
    public void Status_is_a_subresource_and_scale_is_not()
    {
        var subresources = ChangeApprovalCrd.Version["subresources"]!.AsObject();

        Assert.Equal(["status"], subresources.Select(p => p.Key));
        Assert.Empty(subresources["status"]!.AsObject());
    }

    /// <summary>The columns <c>kubectl get changeapprovals</c> prints: name, JSONPath, type.</summary>
    public static TheoryData<string, string, string> Columns => TextTable.ThreeColumns("""
        Kind         .spec.target.kind              string
        Target       .spec.target.name              string
        Phase        .status.phase                  string
        Approvals    .status.approvedBy             string
        Expires      .spec.expiresAt                date
        Age          .metadata.creationTimestamp    date
        """);

    [Theory]
    [MemberData(nameof(Columns))]
    public void Printer_columns(string name, string jsonPath, string type)
    {
        var column = PrinterColumns().SingleOrDefault(c => (string?)c["name"] == name);

        Assert.NotNull(column);
        Assert.Equal(jsonPath, (string?)column["jsonPath"]);
        Assert.Equal(type, (string?)column["type"]);
        Assert.Equal(0L, (long?)column["priority"] ?? 0L);
    }

    [Fact]
    public void Every_printer_column_points_at_a_field_of_the_schema()
    {
        foreach (var column in PrinterColumns())
        {
            var jsonPath = (string)column["jsonPath"]!;
            if (jsonPath.StartsWith(".metadata.", StringComparison.Ordinal))
            {
                continue; // metadata's schema is Kubernetes' own
            }

            var node = ChangeApprovalCrd.Node(jsonPath.TrimStart('.'));
            var columnType = (string)column["type"]!;
            var expectedFormat = columnType == "date" ? "date-time" : null;
            Assert.Equal(expectedFormat, (string?)node["format"]);
        }
    }

    [Fact]
    public void The_schema_is_structural()
    {
        var problems = new List<string>();
        foreach (var (path, node) in ChangeApprovalCrd.AllNodes())
        {
            var type = (string?)node["type"];
            var exempt = (bool?)node["x-kubernetes-int-or-string"] == true || (bool?)node["x-kubernetes-preserve-unknown-fields"] == true;
            if (type is null && !exempt)
            {
                problems.Add($"'{path}' has no type");
            }

            if (type is not null && !StructuralTypes.Contains(type))
            {
                problems.Add($"'{path}' has type '{type}'");
            }

            if (type == "array" && node["items"] is not JsonObject)
            {
                problems.Add($"'{path}' is an array without an items schema");
            }

            if (node.ContainsKey("properties") && node.ContainsKey("additionalProperties"))
            {
                problems.Add($"'{path}' has both properties and additionalProperties");
            }

            if (node.ContainsKey("$ref"))
            {
                problems.Add($"'{path}' uses $ref, which CRD schemas cannot");
            }

            foreach (var required in node["required"]?.AsArray() ?? [])
            {
                if (node["properties"]?[(string)required!] is null)
                {
                    problems.Add($"'{path}' requires '{required}', which it does not declare");
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void Root_metadata_is_a_bare_object_as_kube_apiserver_requires()
    {
        // kube-apiserver rejects any constraint, and even a description, on the root metadata
        // other than restrictions of name and generateName.
        var metadata = ChangeApprovalCrd.Node("metadata");

        Assert.Equal("""{"type":"object"}""", metadata.ToJsonString());
    }

    [Fact]
    public void Every_field_has_a_description()
    {
        var undescribed = ChangeApprovalCrd.AllNodes()
            .Where(e => e.Path != "metadata" && string.IsNullOrWhiteSpace((string?)e.Node["description"]))
            .Select(e => e.Path == string.Empty ? "(root)" : e.Path);

        Assert.Empty(undescribed);
    }

    [Theory]
    [InlineData("", "spec")]
    [InlineData("spec", "target", "reason", "requestedBy", "expiresAt")]
    [InlineData("spec.target", "kind", "name")]
    [InlineData("spec.approvals[]", "approver", "approvedAt")]
    [InlineData("status.conditions[]", "type", "status", "lastTransitionTime", "reason", "message")]
    public void Required_fields(string path, params string[] expected)
    {
        var required = ChangeApprovalCrd.Node(path)["required"]?.AsArray().Select(n => (string)n!) ?? [];

        Assert.Equal(expected.Order(StringComparer.Ordinal), required.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("spec.operations[]", "CREATE", "UPDATE", "DELETE")]
    [InlineData("status.phase", "Pending", "Approved", "Rejected", "Applied", "Expired")]
    [InlineData("status.conditions[].status", "True", "False", "Unknown")]
    public void Enums(string path, params string[] expected)
    {
        var values = ChangeApprovalCrd.Node(path)["enum"]!.AsArray().Select(n => (string?)n);

        Assert.Equal(expected, values);
    }

    public static TheoryData<string, string> FormatOfEachPath => EachPathWith(
        ("date-time", ["spec.notBefore", "spec.expiresAt", "spec.approvals[].approvedAt", "status.conditions[].lastTransitionTime"]),
        ("int64", ["status.conditions[].observedGeneration", "status.observedGeneration"]));

    [Theory]
    [MemberData(nameof(FormatOfEachPath))]
    public void Formats(string path, string format)
    {
        Assert.Equal(format, (string?)ChangeApprovalCrd.Node(path)["format"]);
    }

    [Theory]
    [InlineData("spec.target.apiGroup", "\"apps\"")]
    [InlineData("spec.operations", """["CREATE","UPDATE"]""")]
    public void Defaults(string path, string expectedJson)
    {
        Assert.Equal(expectedJson, ChangeApprovalCrd.Node(path)["default"]?.ToJsonString());
    }

    [Fact]
    public void Every_default_is_valid_against_its_own_schema()
    {
        // kube-apiserver refuses a CRD whose defaults would fail its own validation.
        var defaulted = ChangeApprovalCrd.AllNodes().Where(e => e.Node.ContainsKey("default")).ToList();

        Assert.NotEmpty(defaulted);
        foreach (var (path, node) in defaulted)
        {
            var errors = ChangeApprovalCrd.ValidateAgainst(node, node["default"]);
            Assert.True(errors.Count == 0, $"default of '{path}': {string.Join("; ", errors)}");
        }
    }

    /// <summary>Each limit keyword, with the paths it bounds and their bound.</summary>
    public static TheoryData<string, string, int> Limits
    {
        get
        {
            var data = new TheoryData<string, string, int>();
            foreach (var (keyword, bounds) in new (string, (string Path, int Bound)[])[]
            {
                ("minLength", [("spec.reason", 1), ("spec.requestedBy", 1), ("spec.approvals[].approver", 1)]),
                ("maxLength", [("spec.reason", 1024), ("spec.target.name", 253), ("spec.target.apiGroup", 253), ("spec.images[]", 512)]),
                ("minItems", [("spec.operations", 1)]),
                ("maxItems", [("spec.operations", 3), ("spec.images", 64), ("spec.approvals", 32), ("status.approvedBy", 32)]),
            })
            {
                foreach (var (path, bound) in bounds) data.Add(path, keyword, bound);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Limits))]
    public void Length_and_count_limits(string path, string keyword, int expected)
    {
        Assert.Equal(expected, (long?)ChangeApprovalCrd.Node(path)[keyword]);
    }

    public static TheoryData<string, string> ListTypeOfEachPath => EachPathWith(
        ("set", ["spec.operations", "spec.images"]),
        ("atomic", ["spec.approvals", "status.approvedBy"]),
        ("map", ["status.conditions"]));

    [Theory]
    [MemberData(nameof(ListTypeOfEachPath))]
    public void List_types(string path, string listType)
    {
        Assert.Equal(listType, (string?)ChangeApprovalCrd.Node(path)["x-kubernetes-list-type"]);
    }

    [Fact]
    public void Conditions_are_a_map_keyed_by_a_required_type()
    {
        var conditions = ChangeApprovalCrd.Node("status.conditions");
        var keys = conditions["x-kubernetes-list-map-keys"]!.AsArray().Select(n => (string)n!).ToList();

        Assert.Equal(["type"], keys);
        var required = conditions["items"]!["required"]!.AsArray().Select(n => (string)n!);
        Assert.Superset(keys.ToHashSet(), required.ToHashSet());
    }

    [Fact]
    public void Every_list_and_string_under_spec_and_status_is_bounded()
    {
        // CEL rules are cost-checked when the CRD is created: a list without maxItems or a string
        // without maxLength makes kube-apiserver assume the largest request, and reject rules that
        // iterate over it. Formatted (date-time) and enum strings are bounded by their format.
        var unbounded = ChangeApprovalCrd.AllNodes()
            .Where(e => e.Path.StartsWith("spec", StringComparison.Ordinal) || e.Path.StartsWith("status", StringComparison.Ordinal))
            .Where(e => (string?)e.Node["type"] switch
            {
                "array" => !e.Node.ContainsKey("maxItems"),
                "string" => !e.Node.ContainsKey("maxLength") && !e.Node.ContainsKey("enum") && !e.Node.ContainsKey("format"),
                _ => false,
            })
            .Select(e => e.Path);

        Assert.Empty(unbounded);
    }

    /// <summary>A case for each path, with the value of its group (path, value).</summary>
    private static TheoryData<string, string> EachPathWith(params (string Value, string[] Paths)[] groups)
    {
        var data = new TheoryData<string, string>();
        foreach (var (value, paths) in groups)
        {
            foreach (var path in paths) data.Add(path, value);
        }

        return data;
    }

    private static IEnumerable<JsonObject> PrinterColumns() =>
        ChangeApprovalCrd.Version["additionalPrinterColumns"]!.AsArray().Select(c => c!.AsObject());

    private static JsonNode? At(JsonNode root, string dottedPath) =>
        dottedPath.Split('.').Aggregate((JsonNode?)root, (node, key) => node?[key]);
}
