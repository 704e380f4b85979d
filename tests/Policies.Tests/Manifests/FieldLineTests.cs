namespace Admission.Policies.Tests.Manifests;

/// <summary>
/// Errors about a ChangeApproval's fields name the line of the field (or of its nearest parent
/// present, for a missing one), in YAML and JSON, in multi-document files and in Lists; a JSON
/// syntax error gives its position once.
/// </summary>
public class FieldLineTests
{
    private const string Yaml = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: first}
        ---
        apiVersion: approvals.admission.dev/v1alpha1
        kind: ChangeApproval
        metadata:
          name: checkout
          namespace: payments
        spec:
          target: {apiGroup: apps, kind: Deployment}
          operations: [CREATE, PATCH]
          images:
          - registry.example.com/checkout:2.4.1
          - ""
          requestedBy: carol
          expiresAt: "tomorrow at noon"
        """;

    private const string Json = """
        {
          "apiVersion": "approvals.admission.dev/v1alpha1",
          "kind": "ChangeApproval",
          "metadata": {"name": "checkout", "namespace": "payments"},
          "spec": {
            "target": {"apiGroup": "apps", "kind": "Deployment"},
            "operations": ["CREATE", "PATCH"],
            "images": [
              "registry.example.com/checkout:2.4.1",
              ""
            ],
            "requestedBy": "carol",
            "expiresAt": "tomorrow at noon"
          }
        }
        """;

    private static readonly string List = """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: ConfigMap
          metadata: {name: first}
        """ + "\n" + string.Join('\n', Yaml.Split('\n')[4..].Select((l, i) => (i == 0 ? "- " : "  ") + l));

    public static readonly Table<(string Text, Dictionary<string, int> Lines)> Cases = new()
    {
        // every error's field and the line it must name
        {
            "YAML, second document",
            (Yaml, new() { ["spec.target.name"] = 11, ["spec.operations[1]"] = 12, ["spec.images[1]"] = 15, ["spec.reason"] = 10, ["spec.expiresAt"] = 17 })
        },
        {
            "JSON",
            (Json, new() { ["spec.target.name"] = 6, ["spec.operations[1]"] = 7, ["spec.images[1]"] = 10, ["spec.reason"] = 5, ["spec.expiresAt"] = 13 })
        },
        {
            "a List's second item",
            (List, new() { ["spec.target.name"] = 13, ["spec.operations[1]"] = 14, ["spec.images[1]"] = 17, ["spec.reason"] = 12, ["spec.expiresAt"] = 19 })
        },
    };

    [Theory, RowsOf(nameof(Cases))]
    public void Each_error_names_the_line_of_its_field(string name)
    {
        var (text, expected) = Cases[name];
        var errors = new List<InputError>();
        var manifest = ManifestParser.Read(text, "approvals.yaml", "default", errors).Single(m => m.Kind == ChangeApproval.KindName);
        Assert.Empty(errors);

        var fieldErrors = new List<InputError>();
        ChangeApprovalReader.Read(manifest.Object, fieldErrors, "approvals.yaml", manifest.Namespace);

        Assert.Equal(expected.OrderBy(kv => kv.Key, StringComparer.Ordinal),
            fieldErrors.Select(e => KeyValuePair.Create(e.Field, manifest.LineOf(e.Field))).OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void A_List_item_starts_on_its_own_line()
    {
        var manifests = ManifestParser.Read(List, "list.yaml", "default", []);

        Assert.Equal([4, 7], manifests.Select(m => m.Line));
    }

    [Theory]
    [InlineData("{\n  \"kind\": \"Deployment\",,\n}", 2, "not valid JSON at column 24: ',' is an invalid start of a property name. Expected a '\"'.")]
    [InlineData("{\"kind\": \"ConfigMap\",\n\"metadata\": {\"name\": \"x\",}}", 2, "not valid JSON at column 26: The JSON object contains a trailing comma at the end which is not supported in this mode.")]
    public void A_JSON_syntax_error_gives_its_position_once(string text, int line, string message)
    {
        var errors = new List<InputError>();
        ManifestParser.Read(text, "bad.json", "default", errors);

        var error = Assert.Single(errors);
        Assert.Equal(line, error.Line);
        Assert.Equal(message, error.Message);
        Assert.DoesNotContain("LineNumber", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("BytePosition", error.ToString(), StringComparison.Ordinal);
    }
}
