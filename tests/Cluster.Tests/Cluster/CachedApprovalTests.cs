namespace Admission.Cluster.Tests;

/// <summary>What the cache keeps of a ChangeApproval the API server sent: everything but managedFields, in a document of its own.</summary>
public sealed class CachedApprovalTests
{
    private static JsonObject WithManagedFields()
    {
        var node = Objects.ApprovalNode(approvers: ["alice", "bob"]);
        node["metadata"]!["managedFields"] = new JsonArray(new JsonObject
        {
            ["manager"] = "kubectl-change", ["operation"] = "Update", ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = new JsonObject { ["f:spec"] = new JsonObject { ["f:reason"] = new JsonObject() } },
        });
        node["metadata"]!["labels"] = new JsonObject { ["team"] = "payments" };
        // Text the writer would escape by default: kept as the same text.
        node["spec"]!["reason"] = "roll out <2.4.1> + fix for the café's \"checkout\" \u2603";
        return node;
    }

    [Fact]
    public void Everything_but_managedFields_is_kept_as_sent()
    {
        var sent = WithManagedFields();
        var cached = Objects.Cached(Objects.Element(sent));

        var expected = sent.DeepClone().AsObject();
        expected["metadata"]!.AsObject().Remove("managedFields");
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(cached.Raw.GetRawText())), cached.Raw.GetRawText());
        Assert.False(cached.Raw.GetProperty("metadata").TryGetProperty("managedFields", out _));
        Assert.Equal("roll out <2.4.1> + fix for the café's \"checkout\" \u2603", cached.Model!.Reason);
    }

    [Fact]
    public void The_kept_object_outlives_the_document_it_came_in()
    {
        var list = new JsonObject { ["items"] = new JsonArray(WithManagedFields(), Objects.ApprovalNode(name: "checkout-2")) };
        CachedApproval first, second;
        using (var response = JsonDocument.Parse(list.ToJsonString()))
        {
            first = Objects.Cached(response.RootElement.GetProperty("items")[0]);
            second = Objects.Cached(response.RootElement.GetProperty("items")[1]); // no managedFields: copied as it is
        }
        // A slice of the disposed response would throw here.
        Assert.Equal("checkout-1", first.Raw.GetProperty("metadata").GetProperty("name").GetString());
        Assert.Equal("payments", ObjectInspection.Labels(first.Raw)["team"]);
        Assert.Equal("checkout-2", second.Raw.GetProperty("metadata").GetProperty("name").GetString());
    }

    [Fact]
    public void Objects_kept_one_after_another_each_keep_their_own_text()
    {
        var large = WithManagedFields();
        large["metadata"]!["annotations"] = new JsonObject { ["note"] = new string('x', 20_000) };
        var first = Objects.Cached(Objects.Element(large));
        var second = Objects.Cached(Objects.Element(WithManagedFields()));

        Assert.Equal(20_000, first.Raw.GetProperty("metadata").GetProperty("annotations").GetProperty("note").GetString()!.Length);
        Assert.Equal("roll out <2.4.1> + fix for the café's \"checkout\" \u2603", second.Model!.Reason);
        Assert.DoesNotContain("xxxx", second.Raw.GetRawText(), StringComparison.Ordinal);
        Assert.Contains(new string('x', 20_000), first.Raw.GetRawText(), StringComparison.Ordinal);
    }
}
