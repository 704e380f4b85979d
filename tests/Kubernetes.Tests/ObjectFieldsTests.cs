using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace Admission.Kubernetes.Tests;

/// <summary>
/// The metadata readers over both forms an object takes (JsonElement as read, JsonNode as built):
/// they read what is there, answer null or empty for what is missing or of another JSON kind, and
/// the two forms always agree.
/// </summary>
public sealed class ObjectFieldsTests
{
    private const string Approval = """
        {
          "apiVersion": "approvals.admission.dev/v1alpha1",
          "kind": "ChangeApproval",
          "metadata": {
            "name": "cart",
            "namespace": "shop",
            "uid": "6f1c6d1e-8a4b-4f43-9d1e-1b2c3d4e5f60",
            "resourceVersion": "4711",
            "generation": 3,
            "creationTimestamp": "2026-03-01T10:00:00Z",
            "deletionTimestamp": "2026-03-02T10:00:00Z",
            "labels": { "approvals.admission.dev/retrospective": "true", "count": 3 },
            "annotations": { "approvals.admission.dev/change-record": "{}" },
            "finalizers": [ "approvals.admission.dev/audit", 7, "kubernetes" ]
          },
          "status": { "phase": "Approved", "approvedBy": ["alice"] }
        }
        """;

    /// <summary>field, what both forms read (null: absent), for the approval above.</summary>
    public static TheoryData<string, string?> Fields => new()
    {
        { "name", "cart" },
        { "namespace", "shop" },
        { "uid", "6f1c6d1e-8a4b-4f43-9d1e-1b2c3d4e5f60" },
        { "resourceVersion", "4711" },
        { "deletionTimestamp", "2026-03-02T10:00:00Z" },
        { "labels", "approvals.admission.dev/retrospective=true" },
        { "annotations", "approvals.admission.dev/change-record={}" },
        { "finalizers", "approvals.admission.dev/audit,kubernetes" },
        { "status.phase", "Approved" },
        { "status.approvedBy", null },
        { "spec.ttl", null },
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public void Reads_what_is_there_in_both_forms(string field, string? expected)
    {
        using var doc = JsonDocument.Parse(Approval);
        var node = JsonNode.Parse(Approval);
        Assert.Equal(expected, Read(doc.RootElement, field));
        Assert.Equal(expected, Read(node, field));
    }

    [Fact]
    public void Generation_creation_label_annotation_and_finalizer_lookups()
    {
        using var doc = JsonDocument.Parse(Approval);
        var o = doc.RootElement;
        Assert.Equal(3, ObjectFields.Generation(o));
        Assert.Equal("2026-03-01T10:00:00Z", ObjectFields.CreationTimestamp(o));
        Assert.Equal("true", ObjectFields.Label(o, "approvals.admission.dev/retrospective"));
        Assert.Null(ObjectFields.Label(o, "count"));
        Assert.Equal("{}", ObjectFields.Annotation(o, "approvals.admission.dev/change-record"));
        Assert.True(ObjectFields.HasFinalizer(o, "kubernetes"));
        Assert.False(ObjectFields.HasFinalizer(o, "7"));
        Assert.True(ObjectFields.TryGet(o, out var approvedBy, "status", "approvedBy") && approvedBy.ValueKind == JsonValueKind.Array);
    }

    /// <summary>Shapes a watch or another tool may send: every reader answers null or empty, none throws.</summary>
    public static TheoryData<string, string> Malformed => new()
    {
        { "not an object", "[1, 2]" },
        { "a string", "\"cart\"" },
        { "no metadata", "{\"kind\":\"ChangeApproval\"}" },
        { "metadata a string", "{\"metadata\":\"cart\"}" },
        { "fields of other kinds", "{\"metadata\":{\"name\":7,\"namespace\":null,\"uid\":{},\"resourceVersion\":[],\"generation\":1.5,\"labels\":[],\"annotations\":\"a=b\",\"finalizers\":{}}}" },
        { "a huge generation", "{\"metadata\":{\"generation\":123456789012345678901234567890}}" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_object_reads_as_empty(string name, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var node = JsonNode.Parse(json);
        foreach (var field in Fields.Select(r => (string)r[0]))
        {
            Assert.True(Read(doc.RootElement, field) is null, $"{name}: {field} read from the element");
            Assert.True(Read(node, field) is null, $"{name}: {field} read from the node");
        }
        Assert.True(ObjectFields.Generation(doc.RootElement) is null, name);
        Assert.True(ObjectFields.Finalizers(doc.RootElement).Count == 0 && NodeFields.Finalizers(node).Count == 0, name);
    }

    [Fact]
    public void Readers_over_JsonElement_and_JsonNode_agree_on_any_metadata()
    {
        var value = Gen.OneOf<JsonNode?>(
            Gen.String[0, 6].Select(s => (JsonNode?)JsonValue.Create(s)),
            Gen.Int.Select(i => (JsonNode?)JsonValue.Create(i)),
            Gen.Const(() => (JsonNode?)null),
            Gen.String[0, 4].Array[0, 3].Select(a => (JsonNode?)new JsonArray([.. a.Select(s => (JsonNode?)JsonValue.Create(s))])));
        var map = Gen.Select(Gen.String[1, 4], value).Array[0, 4].Select(entries =>
        {
            var o = new JsonObject();
            foreach (var (k, v) in entries) o[k] = v;
            return (JsonNode?)o;
        });
        var fieldNames = Readers.Keys.ToArray();
        var metadata = Gen.Select(Gen.OneOf(value, map), Gen.Int[0, fieldNames.Length - 1]).Array[0, 8].Select(entries =>
        {
            var o = new JsonObject();
            foreach (var (v, i) in entries) o[fieldNames[i]] = v?.DeepClone();
            return o;
        });
        metadata.Sample(meta =>
        {
            var obj = new JsonObject { ["metadata"] = meta.DeepClone() };
            using var doc = JsonDocument.Parse(obj.ToJsonString());
            foreach (var field in fieldNames)
            {
                if (Read(doc.RootElement, field) != Read(obj, field)) return false;
            }
            return true;
        }, iter: 2000);
    }

    /// <summary>Each metadata reader of the two forms, side by side; any other field is read as a dotted path.</summary>
    private static readonly Dictionary<string, (Func<JsonElement, string?> Element, Func<JsonNode?, string?> Node)> Readers = new(StringComparer.Ordinal)
    {
        ["name"] = (ObjectFields.Name, NodeFields.Name),
        ["namespace"] = (ObjectFields.Namespace, NodeFields.Namespace),
        ["uid"] = (ObjectFields.Uid, NodeFields.Uid),
        ["resourceVersion"] = (ObjectFields.ResourceVersion, NodeFields.ResourceVersion),
        ["deletionTimestamp"] = (ObjectFields.DeletionTimestamp, NodeFields.DeletionTimestamp),
        ["labels"] = (o => Join(ObjectFields.Labels(o)), o => Join(NodeFields.Labels(o))),
        ["annotations"] = (o => Join(ObjectFields.Annotations(o)), o => Join(NodeFields.Annotations(o))),
        ["finalizers"] = (o => Join(ObjectFields.Finalizers(o)), o => Join(NodeFields.Finalizers(o))),
    };

    private static string? Read(JsonElement o, string field) =>
        Readers.TryGetValue(field, out var reader) ? reader.Element(o) : ObjectFields.StringAt(o, field.Split('.'));

    private static string? Read(JsonNode? o, string field) =>
        Readers.TryGetValue(field, out var reader) ? reader.Node(o) : NodeFields.StringAt(o, field.Split('.'));

    private static string? Join(IReadOnlyDictionary<string, string> map) =>
        map.Count == 0 ? null : string.Join(",", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    private static string? Join(IReadOnlyList<string> list) => list.Count == 0 ? null : string.Join(",", list);
}
