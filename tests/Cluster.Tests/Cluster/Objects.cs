namespace Admission.Cluster.Tests;

/// <summary>Builders for the objects the API server would hold.</summary>
internal static class Objects
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 6, 10, 0, 0, TimeSpan.Zero);

    public static JsonObject ApprovalNode(
        string ns = "payments", string name = "checkout-1", string requestedBy = "carol", string[]? approvers = null,
        DateTimeOffset? expiresAt = null, DateTimeOffset? notBefore = null, string rv = "1", long generation = 1, string target = "checkout")
    {
        var spec = new JsonObject
        {
            ["target"] = new JsonObject { ["apiGroup"] = "apps", ["kind"] = "Deployment", ["name"] = target },
            ["reason"] = "roll out 2.4.1",
            ["requestedBy"] = requestedBy,
            ["expiresAt"] = WrittenStatus.Time(expiresAt ?? T0.AddHours(8)),
            ["approvals"] = new JsonArray([.. (approvers ?? []).Select(a => (JsonNode)new JsonObject { ["approver"] = a, ["approvedAt"] = WrittenStatus.Time(T0) })]),
        };
        if (notBefore is { } nb) spec["notBefore"] = WrittenStatus.Time(nb);
        return new JsonObject
        {
            ["apiVersion"] = "approvals.admission.dev/v1alpha1",
            ["kind"] = "ChangeApproval",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["resourceVersion"] = rv, ["generation"] = generation, ["uid"] = "uid-" + name },
            ["spec"] = spec,
        };
    }

    public static JsonElement Approval(
        string ns = "payments", string name = "checkout-1", string requestedBy = "carol", string[]? approvers = null,
        DateTimeOffset? expiresAt = null, DateTimeOffset? notBefore = null, string rv = "1", long generation = 1, string target = "checkout") =>
        Element(ApprovalNode(ns, name, requestedBy, approvers, expiresAt, notBefore, rv, generation, target));

    public static CachedApproval Cached(JsonElement raw) => CachedApproval.From(raw) ?? throw new InvalidOperationException("not an approval");

    public static JsonElement WithStatus(JsonElement approval, JsonObject status, string? rv = null)
    {
        var node = JsonNode.Parse(approval.GetRawText())!.AsObject();
        node["status"] = status.DeepClone();
        if (rv is not null) node["metadata"]!["resourceVersion"] = rv;
        return Element(node);
    }

    public static JsonElement Namespace(string name, string rv = "1", params (string Key, string Value)[] labels)
    {
        var l = new JsonObject();
        foreach (var (k, v) in labels) l[k] = v;
        return Element(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = name, ["resourceVersion"] = rv, ["labels"] = l },
        });
    }

    public static JsonElement Tier1(string name, string rv = "1") => Namespace(name, rv, ("approvals.admission.dev/tier", "1"));

    public static JsonElement Bookmark(string rv) => Element(new JsonObject { ["kind"] = "ChangeApproval", ["metadata"] = new JsonObject { ["resourceVersion"] = rv } });

    public static JsonElement Status(int code, string message) => Element(new JsonObject
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["status"] = "Failure",
        ["code"] = code,
        ["reason"] = code == 410 ? "Expired" : "InternalError",
        ["message"] = message,
    });

    public static JsonElement Element(JsonNode node) => JsonDocument.Parse(node.ToJsonString()).RootElement;
}
