namespace Admission.Plugin.Tests.Unit;

public class YamlTests
{
    [Fact]
    public void Writes_kubectl_style_yaml()
    {
        var json = """
            {"apiVersion":"approvals.admission.dev/v1alpha1","kind":"ChangeApproval",
             "metadata":{"name":"checkout-x","namespace":"payments","labels":{}},
             "spec":{"operations":["CREATE","UPDATE"],"reason":"Roll out 2.4.1: fixes #12","ticket":"12345",
                     "expiresAt":"2026-03-06T18:00:00Z","approvals":[{"approver":"alice","comment":"yes"}],"images":[],"replicas":3,"on":true}}
            """;
        var yaml = YamlWriter.Write(JsonDocument.Parse(json).RootElement);
        Assert.Equal("""
            apiVersion: approvals.admission.dev/v1alpha1
            kind: ChangeApproval
            metadata:
              name: checkout-x
              namespace: payments
              labels: {}
            spec:
              operations:
              - CREATE
              - UPDATE
              reason: "Roll out 2.4.1: fixes #12"
              ticket: "12345"
              expiresAt: "2026-03-06T18:00:00Z"
              approvals:
              - approver: alice
                comment: "yes"
              images: []
              replicas: 3
              "on": true

            """.Replace("\r\n", "\n", StringComparison.Ordinal), yaml);
    }

    /// <summary>Strings YAML reads back unquoted as the same string.</summary>
    private static readonly string[] Plain = ["plain text", "registry.example.com/checkout:2.4.1"];

    /// <summary>Strings YAML would read unquoted as something else (null, a boolean, a number, a time, a map, a list) or change (line break, trailing space).</summary>
    private static readonly string[] Quoted = ["", "true", "no", "1.5", "2026-03-06T18:00:00Z", "a: b", "- item", "line\nbreak", "trailing "];

    public static TheoryData<string, bool> Strings()
    {
        var strings = new TheoryData<string, bool>();
        foreach (var s in Plain) strings.Add(s, false);
        foreach (var s in Quoted) strings.Add(s, true);
        return strings;
    }

    [Theory]
    [MemberData(nameof(Strings))]
    public void Quotes_strings_yaml_would_read_differently(string s, bool quoted) =>
        Assert.Equal(quoted, YamlWriter.NeedsQuotes(s));

    [Fact]
    public void What_it_writes_reads_back_the_same()
    {
        var json = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"m"},"a":{"b":["x",{"c":"1","d":null,"e":false,"f":"line\nbreak","g":"quote \" here"}],"h":[[1,2],[]]}}""";
        var original = JsonDocument.Parse(json).RootElement;
        var back = YamlReader.ReadObjects(YamlWriter.Write(original), "test");
        Assert.Single(back);
        Assert.True(JsonElement.DeepEquals(original, back[0]), YamlWriter.Write(original));
    }

    [Fact]
    public void Reads_multi_document_manifests_and_lists()
    {
        var objects = YamlReader.ReadObjects("""
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: apps/v1, kind: Deployment, metadata: {name: a}}
            - {apiVersion: apps/v1, kind: Deployment, metadata: {name: b}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: c, labels: {port: "80"}}
            ---
            """, "m.yaml");
        Assert.Equal(["a", "b", "c"], objects.Select(o => o.GetProperty("metadata").GetProperty("name").GetString()));
        Assert.Equal(JsonValueKind.String, objects[2].GetProperty("metadata").GetProperty("labels").GetProperty("port").ValueKind);
    }

    [Fact]
    public void Bad_yaml_names_the_file_and_line()
    {
        var e = Assert.Throws<FormatException>(() => YamlReader.ReadObjects("a: b\n  c: [d\n", "deploy.yaml"));
        Assert.StartsWith("deploy.yaml:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_document_that_is_not_a_manifest_names_the_missing_field_and_its_line()
    {
        var e = Assert.Throws<FormatException>(() => YamlReader.ReadObjects("apiVersion: apps/v1\nkind: Deployment\n---\nkind: Service\nmetadata: {name: s}\n", "deploy.yaml"));
        Assert.Contains("deploy.yaml:1", e.Message, StringComparison.Ordinal);
        Assert.Contains("metadata.name", e.Message, StringComparison.Ordinal);
        Assert.Contains("deploy.yaml:4", e.Message, StringComparison.Ordinal);
        Assert.Contains("apiVersion", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unclosed_flow_mapping_is_a_located_error_not_a_crash()
    {
        var e = Assert.Throws<FormatException>(() => YamlReader.ReadObjects("metadata:\n  labels: {app: x\nspec:\n  replicas: 3\n", "deploy.yaml"));
        Assert.StartsWith("deploy.yaml:2:", e.Message, StringComparison.Ordinal);
    }
}
