namespace Admission.TestApiServer.Tests.Cel;

/// <summary>The repository's ChangeApproval CRD compiled as the test API server compiles it, and writes checked against it in-process.</summary>
internal static class CrdRules
{
    private static readonly Lazy<CustomResourceValidator> Loaded = new(() =>
        CustomResourceValidator.FromDirectory(new TestApiServerOptions().CustomResourceDefinitions
            ?? throw new InvalidOperationException("config/crd not found above the test assembly")));

    public static CustomResourceValidator Validator => Loaded.Value;

    public static ResourceDefinition ChangeApprovals => ResourceCatalog.Defaults.Single(d => d.Plural == "changeapprovals");

    /// <summary>The Status kube-apiserver would answer, or null when the write passes.</summary>
    public static JsonObject? Refusal(JsonObject obj, JsonObject? old, List<string>? warnings = null)
    {
        try
        {
            Validator.Validate(ChangeApprovals, (JsonObject)obj.DeepClone(), (JsonObject?)old?.DeepClone(), warnings ?? []);
            return null;
        }
        catch (Http.ApiException e)
        {
            return e.Status;
        }
    }

    /// <summary>A valid request as stored after its creation (defaults filled in).</summary>
    public static JsonObject Request(params (string Approver, string Decision)[] approvals)
    {
        var obj = (JsonObject)JsonNode.Parse("""
            {
              "apiVersion": "approvals.admission.dev/v1alpha1", "kind": "ChangeApproval",
              "metadata": {"name": "web-1", "namespace": "payments"},
              "spec": {
                "target": {"apiGroup": "apps", "kind": "Deployment", "name": "web"},
                "operations": ["CREATE", "UPDATE"],
                "reason": "Roll out 2.4.1",
                "ticket": "CHG-1",
                "requestedBy": "carol",
                "notBefore": "2030-01-01T00:00:00Z",
                "expiresAt": "2030-01-02T00:00:00Z",
                "approvals": []
              }
            }
            """)!;
        foreach (var (approver, decision) in approvals)
        {
            Approvals(obj).Add(Entry(approver, decision));
        }

        return obj;
    }

    public static JsonObject Entry(string approver, string decision = "Approve") => new()
    {
        ["approver"] = approver,
        ["approvedAt"] = "2030-01-01T01:00:00Z",
        // Pruned while the schema has no decision field; kept once it has one: the rules treat every entry alike.
        ["decision"] = decision,
        ["comment"] = decision == "Approve" ? "looks fine" : "not now",
    };

    public static JsonArray Approvals(JsonObject obj) => obj["spec"]!["approvals"]!.AsArray();

    public static JsonObject With(JsonObject obj, Action<JsonObject> change)
    {
        var copy = (JsonObject)obj.DeepClone();
        change(copy);
        return copy;
    }
}
