namespace Admission.TestApiServer.Tests;

/// <summary>
/// metadata.finalizers and deletionTimestamp as kube-apiserver's generic store keeps them
/// (store.go, ValidateObjectMetaUpdate): a DELETE of an object with finalizers only marks it; while
/// marked no finalizer can be added and the marks stay; the update removing the last one deletes it.
/// </summary>
public sealed class FinalizerTests : PaymentsTest
{
    private const string Approvals = "/apis/approvals.admission.dev/v1alpha1/namespaces/payments/changeapprovals";
    private const string Item = Approvals + "/web-1";
    private const string Deployments = "/apis/apps/v1/namespaces/payments/deployments";

    private static JsonObject WithFinalizers(JsonObject obj, params string[] finalizers)
    {
        obj["metadata"]!["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode)JsonValue.Create(f))]);
        return obj;
    }

    private async Task<JsonObject> GetAsync(string path = Item)
    {
        var (code, body, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Get, path);
        Assert.Equal(200, code);
        return body!.AsObject();
    }

    private async Task<(int Code, JsonNode? Body)> PutAsync(Action<JsonObject> change, string path = Item)
    {
        var current = await GetAsync(path);
        change(current);
        var (code, body, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Put, path, current);
        return (code, body);
    }

    private static string[] Finalizers(JsonObject obj) => obj["metadata"]!["finalizers"] is JsonArray a ? [.. a.Select(f => f!.ToString())] : [];

    [Fact]
    public async Task A_delete_only_marks_an_object_with_finalizers_and_the_last_removal_deletes_it()
    {
        Assert.Equal(201, (await _server.SendAsync(Servers.Admin, HttpMethod.Post, Approvals, WithFinalizers(Servers.ChangeApproval("payments", "web-1"), "example.com/a", "example.com/b"))).Status);

        var (deleted, answer, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Delete, Item);
        Assert.Equal(200, deleted);
        Assert.NotNull(answer!["metadata"]!["deletionTimestamp"]);
        Assert.Equal(0, answer["metadata"]!["deletionGracePeriodSeconds"]!.GetValue<int>());
        var marked = await GetAsync();
        var timestamp = marked["metadata"]!["deletionTimestamp"]!.ToString();
        Assert.Equal(["example.com/a", "example.com/b"], Finalizers(marked));

        // A second DELETE changes nothing.
        var version = marked["metadata"]!["resourceVersion"]!.ToString();
        Assert.Equal(200, (await _server.SendAsync(Servers.Admin, HttpMethod.Delete, Item)).Status);
        Assert.Equal(version, (await GetAsync())["metadata"]!["resourceVersion"]!.ToString());

        // Marked: no finalizer can be added, and the deletion marks cannot be changed.
        var (added, refusal) = await PutAsync(o => ((JsonArray)o["metadata"]!["finalizers"]!).Add("example.com/c"));
        Assert.Equal(422, added);
        Assert.Equal("Invalid", refusal!["reason"]!.ToString());
        Assert.Contains("metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/c\"}",
            refusal["message"]!.ToString(), StringComparison.Ordinal);
        var (cleared, _) = await PutAsync(o => { o["metadata"]!.AsObject().Remove("deletionTimestamp"); o["metadata"]!["labels"] = new JsonObject { ["x"] = "y" }; });
        Assert.Equal(200, cleared);
        Assert.Equal(timestamp, (await GetAsync())["metadata"]!["deletionTimestamp"]!.ToString());

        // Removing one keeps it; removing the last deletes it.
        Assert.Equal(200, (await PutAsync(o => o["metadata"]!["finalizers"] = new JsonArray("example.com/b"))).Code);
        Assert.NotNull(_server.Get("approvals.admission.dev", "changeapprovals", "payments", "web-1"));
        Assert.Equal(200, (await PutAsync(o => o["metadata"]!["finalizers"] = new JsonArray())).Code);
        Assert.Null(_server.Get("approvals.admission.dev", "changeapprovals", "payments", "web-1"));
        Assert.Equal(["ADDED", "MODIFIED", "MODIFIED", "MODIFIED", "DELETED"],
            _server.Changes.Where(c => c.Resource == "changeapprovals").Select(c => c.Type));
    }

    [Fact]
    public async Task Without_finalizers_a_delete_is_immediate_and_finalizers_may_be_added_before_one()
    {
        Assert.Equal(201, (await _server.SendAsync(Servers.Admin, HttpMethod.Post, Approvals, Servers.ChangeApproval("payments", "web-1"))).Status);
        Assert.Equal(200, (await PutAsync(o => o["metadata"]!["finalizers"] = new JsonArray("example.com/a"))).Code);
        Assert.Equal(["example.com/a"], Finalizers(await GetAsync()));
        Assert.Equal(200, (await PutAsync(o => o["metadata"]!.AsObject().Remove("finalizers"))).Code);
        Assert.Equal(200, (await _server.SendAsync(Servers.Admin, HttpMethod.Delete, Item)).Status);
        Assert.Null(_server.Get("approvals.admission.dev", "changeapprovals", "payments", "web-1"));
    }

    [Fact]
    public async Task A_created_object_carries_no_deletion_marks_and_a_dry_run_delete_marks_nothing()
    {
        var body = WithFinalizers(Servers.Deployment("payments", "web"), "example.com/a");
        body["metadata"]!["deletionTimestamp"] = "2020-01-01T00:00:00Z";
        body["metadata"]!["deletionGracePeriodSeconds"] = 30;
        Assert.Equal(201, (await _server.SendAsync(Servers.Admin, HttpMethod.Post, Deployments, body)).Status);
        var stored = await GetAsync(Deployments + "/web");
        Assert.Null(stored["metadata"]!["deletionTimestamp"]);
        Assert.Null(stored["metadata"]!["deletionGracePeriodSeconds"]);

        var (dry, answer, _) = await _server.SendAsync(Servers.Admin, HttpMethod.Delete, Deployments + "/web?dryRun=All");
        Assert.Equal(200, dry);
        Assert.NotNull(answer!["metadata"]!["deletionTimestamp"]);
        Assert.Null((await GetAsync(Deployments + "/web"))["metadata"]!["deletionTimestamp"]);

        // A Deployment, like any type, is held by its finalizers.
        Assert.Equal(200, (await _server.SendAsync(Servers.Admin, HttpMethod.Delete, Deployments + "/web")).Status);
        Assert.NotNull((await GetAsync(Deployments + "/web"))["metadata"]!["deletionTimestamp"]);
        Assert.Equal(200, (await PutAsync(o => o["metadata"]!["finalizers"] = new JsonArray(), Deployments + "/web")).Code);
        Assert.Null(_server.Get("apps", "deployments", "payments", "web"));
    }
}
