namespace Admission.Policies.Tests.Support;

/// <summary>One entry of <c>spec.approvals</c>.</summary>
public sealed record Entry(string Approver, DateTimeOffset? ApprovedAt, string? Comment = null, string? Decision = null);

/// <summary>
/// A ChangeApproval as a user writes it. By default it targets <c>apps/Deployment payments/checkout</c>,
/// was requested by carol, is valid from an hour ago for four hours, and has no entries yet.
/// </summary>
public sealed record Approval
{
    public string Name { get; init; } = "checkout-2-4-1";
    public string Namespace { get; init; } = "payments";
    /// <summary>Null leaves <c>apiGroup</c> out, so the default ("apps") applies.</summary>
    public string? ApiGroup { get; init; } = "apps";
    public string? Kind { get; init; } = "Deployment";
    public string? TargetName { get; init; } = "checkout";
    /// <summary>Null leaves <c>operations</c> out, so the default (CREATE, UPDATE) applies.</summary>
    public IReadOnlyList<string>? Operations { get; init; }
    public IReadOnlyList<string> Images { get; init; } = [];
    public string? Reason { get; init; } = "Roll out 2.4.1, fixes INC-4411";
    public string? Ticket { get; init; }
    public string? RequestedBy { get; init; } = Fixture.Requester;
    public DateTimeOffset? NotBefore { get; init; } = Fixture.Now.AddHours(-1);
    public DateTimeOffset? ExpiresAt { get; init; } = Fixture.Now.AddHours(3);
    public IReadOnlyList<Entry> Approvals { get; init; } = [];
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary><c>spec.change.digest</c>; null leaves <c>change</c> out.</summary>
    public string? ChangeDigest { get; init; }
    public string? ChangeBase { get; init; }

    public string Key => Namespace + "/" + Name;

    /// <summary>Appends one entry per approver, each made ten minutes before <see cref="Fixture.Now"/>.</summary>
    public Approval ApprovedBy(params string[] approvers) =>
        this with { Approvals = [.. Approvals, .. approvers.Select(a => new Entry(a, Fixture.Now.AddMinutes(-10)))] };

    public Approval Covering(params string[] operations) => this with { Operations = operations };

    /// <summary>Appends a Reject entry by <paramref name="reviewer"/>, ten minutes before <see cref="Fixture.Now"/>.</summary>
    public Approval RejectedBy(string reviewer, string? comment = null) =>
        this with { Approvals = [.. Approvals, new Entry(reviewer, Fixture.Now.AddMinutes(-10), comment, "Reject")] };

    /// <summary>Binds the change that turns <paramref name="base"/> (null for a CREATE) into <paramref name="result"/>.</summary>
    public Approval Binding(JsonElement result, JsonElement? @base = null, AdmissionPolicy? policy = null) => this with
    {
        ChangeDigest = Admission.Policies.Digest.ChangeDigest.Of(result, policy ?? AdmissionPolicy.Default),
        ChangeBase = @base is { } b ? Admission.Policies.Digest.ChangeDigest.Of(b, policy ?? AdmissionPolicy.Default) : null,
    };

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public JsonElement ToJson() => JsonSerializer.SerializeToElement(ToNode());

    public JsonObject ToNode()
    {
        var target = new JsonObject();
        if (ApiGroup is not null) target["apiGroup"] = ApiGroup;
        if (Kind is not null) target["kind"] = Kind;
        if (TargetName is not null) target["name"] = TargetName;
        var spec = new JsonObject { ["target"] = target };
        if (Operations is not null) spec["operations"] = new JsonArray([.. Operations.Select(o => (JsonNode)JsonValue.Create(o))]);
        if (Images.Count > 0) spec["images"] = new JsonArray([.. Images.Select(i => (JsonNode)JsonValue.Create(i))]);
        if (Reason is not null) spec["reason"] = Reason;
        if (Ticket is not null) spec["ticket"] = Ticket;
        if (RequestedBy is not null) spec["requestedBy"] = RequestedBy;
        if (NotBefore is { } nb) spec["notBefore"] = Time(nb);
        if (ExpiresAt is { } exp) spec["expiresAt"] = Time(exp);
        var entries = new JsonArray();
        foreach (var e in Approvals)
        {
            var entry = new JsonObject { ["approver"] = e.Approver };
            if (e.ApprovedAt is { } at) entry["approvedAt"] = Time(at);
            if (e.Comment is not null) entry["comment"] = e.Comment;
            if (e.Decision is not null) entry["decision"] = e.Decision;
            entries.Add(entry);
        }
        spec["approvals"] = entries;
        if (ChangeDigest is not null)
        {
            var change = new JsonObject { ["digest"] = ChangeDigest };
            if (ChangeBase is not null) change["base"] = ChangeBase;
            spec["change"] = change;
        }
        return new JsonObject
        {
            ["apiVersion"] = ChangeApproval.ApiVersion,
            ["kind"] = ChangeApproval.KindName,
            ["metadata"] = new JsonObject { ["name"] = Name, ["namespace"] = Namespace, ["generation"] = 1, ["labels"] = LabelsNode() },
            ["spec"] = spec,
        };
    }

    private JsonObject LabelsNode()
    {
        var labels = new JsonObject();
        foreach (var (k, v) in Labels) labels[k] = v;
        return labels;
    }

    /// <summary>The model the engine decides with, read the way the webhook reads it.</summary>
    public ChangeApproval ToModel()
    {
        var errors = new List<InputError>();
        var model = ChangeApprovalReader.Read(ToJson(), errors);
        if (model is null || errors.Count > 0)
        {
            throw new InvalidOperationException("test approval is not well formed: " + string.Join("; ", errors));
        }
        return model;
    }
}
