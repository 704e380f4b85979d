namespace Admission.TestApiServer.Tests.Cel;

/// <summary>
/// Forgeries with the webhook bypassed (none is registered): the CRD's CEL rules and the chart's
/// ValidatingAdmissionPolicy, evaluated in the test API server as kube-apiserver evaluates them,
/// refuse every forgery that the old and new objects or the requesting user reveal, and let every
/// legitimate write through.
/// </summary>
public sealed class AdmissionPolicyTests : IAsyncLifetime
{
    private const string Carol = "carol";
    private const string Alice = "alice";
    private const string Bob = "bob";
    private const string Mallory = "mallory";
    private const string Operator = "system:serviceaccount:admission-system:admission";
    private const string Collection = "/apis/approvals.admission.dev/v1alpha1/namespaces/payments/changeapprovals";
    private const string Item = Collection + "/web-1";
    private const string Policy = "ValidatingAdmissionPolicy 'admission.approvals.admission.dev' with binding 'admission.approvals.admission.dev' denied request: ";

    private TestApiServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestApiServer.StartAsync();
        _server.AddUser("carol-token", Carol, ["devs"]);
        _server.AddUser("alice-token", Alice, ["tier1-approvers"]);
        _server.AddUser("bob-token", Bob, ["tier1-approvers"]);
        _server.AddUser("mallory-token", Mallory, ["devs"]);
        _server.AddUser("operator-token", Operator, ["system:serviceaccounts"]);
        _server.Seed(Servers.Namespace("payments"));
        foreach (var obj in ChartPolicy.Objects)
        {
            _server.Seed(obj);
        }
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static JsonObject Entry(string approver, string decision = "Approve") => new()
    {
        ["approver"] = approver,
        ["approvedAt"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        ["decision"] = decision,
    };

    private static JsonObject NewRequest(string requestedBy = Carol) => Servers.ChangeApproval("payments", "web-1", requestedBy: requestedBy);

    /// <summary>Creates carol's request and lets the given approvers add their entries, in order.</summary>
    private async Task<JsonObject> StoredAsync(params string[] approvers)
    {
        var (code, _, _) = await _server.SendAsync(Carol, HttpMethod.Post, Collection, NewRequest());
        Assert.Equal(201, code);
        foreach (var approver in approvers)
        {
            Assert.Equal(200, (await UpdateAsync(approver, o => Approvals(o).Add(Entry(approver)))).Code);
        }

        var (_, current, _) = await _server.SendAsync(Carol, HttpMethod.Get, Item);
        return current!.AsObject();
    }

    private async Task<(int Code, string Message)> UpdateAsync(string user, Action<JsonObject> change, string path = Item)
    {
        var (_, current, _) = await _server.SendAsync(user, HttpMethod.Get, Item);
        var desired = current!.AsObject();
        change(desired);
        var (code, body, _) = await _server.SendAsync(user, HttpMethod.Put, path, desired);
        return (code, body?["message"]?.ToString() ?? "");
    }

    private static JsonArray Approvals(JsonObject o) => o["spec"]!["approvals"]!.AsArray();

    public static TheoryData<string, string[], string, string, int, string> UpdateForgeries() => new()
    {
        // name, approvers before, who writes, what they do, expected code, expected message
        { "requester approves own", [], Carol, "add-own", 422, "the requester cannot approve their own change" },
        { "approver outside approverGroups", [], Mallory, "add-own", 403, Policy + "only members of policy.approverGroups (tier1-approvers) may add an entry to spec.approvals" },
        { "entry naming someone else", [], Alice, "add-bob", 403, Policy + "an approval added to spec.approvals must name the user adding it (alice)" },
        { "someone else's entry removed", [Bob], Alice, "remove-bob", 403, Policy + "only an approver may remove their own entry from spec.approvals" },
        { "requester removes an approval", [Bob], Carol, "remove-bob", 403, Policy + "only an approver may remove their own entry from spec.approvals" },
        { "someone else's entry replaced by one's own", [Bob], Alice, "replace-bob", 403, Policy + "only an approver may remove their own entry from spec.approvals" },
        { "two entries at once", [], Alice, "add-own-and-bob", 422, "at most one approval can be added per update" },
        { "someone else's entry edited", [Bob], Alice, "edit-bob", 422, "an existing approval cannot be changed, only removed" },
        { "entries reordered", [Alice, Bob], Alice, "reorder", 422, "existing approvals cannot be reordered" },
        { "entry inserted first", [Bob], Alice, "insert-own-first", 422, "a new approval must be appended at the end of spec.approvals" },
        { "target edited", [], Alice, "edit-target", 422, "spec.target is immutable; create a new ChangeApproval" },
        { "expiry extended", [Alice, Bob], Carol, "extend", 422, "spec.expiresAt is immutable; create a new ChangeApproval" },
    };

    private static Action<JsonObject> Change(string what, string user) => what switch
    {
        "add-own" => o => Approvals(o).Add(Entry(user)),
        "add-bob" => o => Approvals(o).Add(Entry(Bob)),
        "remove-bob" => o => Approvals(o).Remove(Approvals(o).Single(e => (string?)e!["approver"] == Bob)),
        "replace-bob" => o => { Approvals(o).Clear(); Approvals(o).Add(Entry(user)); },
        "add-own-and-bob" => o => { Approvals(o).Add(Entry(user)); Approvals(o).Add(Entry(Bob)); },
        "edit-bob" => o => Approvals(o)[0]!["approvedAt"] = "2029-01-01T00:00:00Z",
        "reorder" => o => { var first = Approvals(o)[0]!.DeepClone(); Approvals(o).RemoveAt(0); Approvals(o).Add(first); },
        "insert-own-first" => o => Approvals(o).Insert(0, Entry(user)),
        "edit-target" => o => o["spec"]!["target"]!["name"] = "db",
        "extend" => o => o["spec"]!["expiresAt"] = "2031-01-01T00:00:00Z",
        _ => throw new ArgumentOutOfRangeException(nameof(what)),
    };

    [Theory]
    [MemberData(nameof(UpdateForgeries))]
    public async Task A_forged_update_is_refused_inside_the_api_server(string name, string[] before, string user, string what, int code, string message)
    {
        await StoredAsync(before);

        var (actual, text) = await UpdateAsync(user, Change(what, user));

        Assert.True(actual == code, $"{name}: {actual} {text}");
        Assert.Contains(message, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_created_in_someone_elses_name_is_refused()
    {
        var (code, body, _) = await _server.SendAsync(Carol, HttpMethod.Post, Collection, NewRequest(requestedBy: Alice));

        Assert.Equal(403, code);
        Assert.Equal("Forbidden", (string?)body!["reason"]);
        Assert.Equal("changeapprovals.approvals.admission.dev \"web-1\" is forbidden: " + Policy +
            "spec.requestedBy must be the username of whoever creates the ChangeApproval (carol)", (string?)body["message"]);
    }

    private static JsonObject Retrospective(string requestedBy)
    {
        var request = NewRequest(requestedBy);
        request["metadata"]!["labels"] = new JsonObject { ["approvals.admission.dev/retrospective"] = "true" };
        return request;
    }

    [Fact]
    public async Task Only_the_operator_opens_a_retrospective_request_in_someone_elses_name()
    {
        var (mallory, malloryBody, _) = await _server.SendAsync(Mallory, HttpMethod.Post, Collection, Retrospective(Carol));
        Assert.Equal(403, mallory);
        Assert.Contains("spec.requestedBy must be the username of whoever creates the ChangeApproval (mallory)", (string?)malloryBody!["message"], StringComparison.Ordinal);

        var (plain, _, _) = await _server.SendAsync(Operator, HttpMethod.Post, Collection, NewRequest(requestedBy: Carol));
        Assert.Equal(403, plain);

        var (retro, retroBody, _) = await _server.SendAsync(Operator, HttpMethod.Post, Collection, Retrospective(Carol));
        Assert.True(retro == 201, retroBody?.ToJsonString());
    }

    [Fact]
    public async Task The_retrospective_mark_never_comes_off_nor_goes_on()
    {
        await StoredAsync();
        var (added, addedText) = await UpdateAsync(Carol, o => o["metadata"]!["labels"] = new JsonObject { ["approvals.admission.dev/retrospective"] = "true" });
        Assert.Equal(403, added);
        Assert.Contains("the label approvals.admission.dev/retrospective cannot be added, removed or changed", addedText, StringComparison.Ordinal);

        var (_, _, _) = await _server.SendAsync(Carol, HttpMethod.Delete, Item);
        var (created, _, _) = await _server.SendAsync(Operator, HttpMethod.Post, Collection, Retrospective(Carol));
        Assert.Equal(201, created);
        var (removed, removedText) = await UpdateAsync(Operator, o => o["metadata"]!["labels"] = new JsonObject());
        Assert.Equal(403, removed);
        Assert.Contains("cannot be added, removed or changed", removedText, StringComparison.Ordinal);
        Assert.Equal(200, (await UpdateAsync(Alice, o => Approvals(o).Add(Entry(Alice)))).Code);
    }

    [Fact]
    public async Task A_request_created_already_approved_is_refused()
    {
        var request = NewRequest();
        request["spec"]!["approvals"] = new JsonArray(Entry(Alice));

        var (code, body, _) = await _server.SendAsync(Carol, HttpMethod.Post, Collection, request);

        Assert.Equal(422, code);
        Assert.Equal("spec.approvals", (string?)body!["details"]!["causes"]![0]!["field"]);
    }

    [Fact]
    public async Task Every_legitimate_write_passes()
    {
        await StoredAsync(Alice, Bob);

        Assert.Equal(200, (await UpdateAsync(Alice, o => Approvals(o).RemoveAt(0))).Code);                       // withdraw own
        Assert.Equal(200, (await UpdateAsync(Alice, o => Approvals(o).Add(Entry(Alice, "Reject")))).Code);       // reject
        Assert.Equal(200, (await UpdateAsync(Carol, o => o["metadata"]!["labels"] = new JsonObject { ["team"] = "payments" })).Code);
        Assert.Equal(200, (await UpdateAsync(Operator, o => o["status"] = new JsonObject { ["phase"] = "Pending", ["approvedBy"] = new JsonArray("bob") }, Item + "/status")).Code);
        var (deleted, _, _) = await _server.SendAsync(Carol, HttpMethod.Delete, Item);
        Assert.Equal(200, deleted);
    }

    [Fact]
    public async Task The_uninstall_hook_may_take_the_audit_finalizer_off_and_the_held_deletion_finishes()
    {
        // Issue 14: the chart's pre-delete hook (its own service account) removes the operator's
        // finalizer from an approved, deleted ChangeApproval; the policy has no rule against it.
        const string hook = "system:serviceaccount:admission-system:admission-uninstall";
        _server.AddUser("hook-token", hook, ["system:serviceaccounts"]);
        await StoredAsync(Alice, Bob);
        Assert.Equal(200, (await UpdateAsync(Operator, o => o["metadata"]!["finalizers"] = new JsonArray("audit.approvals.admission.dev/record"))).Code);
        var (deleted, _, _) = await _server.SendAsync(Carol, HttpMethod.Delete, Item);
        Assert.Equal(200, deleted);

        var (code, text) = await UpdateAsync(hook, o => o["metadata"]!["finalizers"] = new JsonArray());

        Assert.True(code == 200, $"{code} {text}");
        var (gone, _, _) = await _server.SendAsync(Carol, HttpMethod.Get, Item);
        Assert.Equal(404, gone);
    }
}
