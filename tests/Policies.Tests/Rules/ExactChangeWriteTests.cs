namespace Admission.Policies.Tests.Rules;

/// <summary>
/// Contract sections 1 and 3 for <c>change</c> and Reject: what the reader accepts, what a
/// ChangeApproval CREATE needs while requireExactChange is on, and who may add a Reject entry.
/// </summary>
public class ExactChangeWriteTests
{
    private const string D1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private const string D2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    private static readonly UserInfo Carol = User(Requester, ApproverGroup);
    private static readonly UserInfo Dave = User("dave", ApproverGroup);
    private static readonly UserInfo Eve = User("eve", "developers");

    public sealed record CreateCase(Approval Approval, bool Allowed, string? Fragment, AdmissionPolicy Policy);

    public static readonly Table<CreateCase> Creates = new()
    {
        { "requireExactChange: change.digest present: allowed", new(new Approval { ChangeDigest = D1 }, true, null, ExactPolicy) },
        { "requireExactChange: no change: denied, naming the field and the command", new(new Approval(), false, "spec.change.digest: is required", ExactPolicy) },
        { "requireExactChange: only UPDATE listed, no base: denied", new(new Approval { ChangeDigest = D1 }.Covering("UPDATE"), false, "spec.change.base: is required", ExactPolicy) },
        { "requireExactChange: only UPDATE listed, base present: allowed", new(new Approval { ChangeDigest = D1, ChangeBase = D2 }.Covering("UPDATE"), true, null, ExactPolicy) },
        { "requireExactChange: DELETE only, no base: allowed", new(new Approval { ChangeDigest = D1 }.Covering("DELETE"), true, null, ExactPolicy) },
        { "requireExactChange false: no change: allowed", new(new Approval(), true, null, ExactPolicy with { RequireExactChange = false }) },
        { "a malformed digest: denied with its field", new(new Approval { ChangeDigest = "sha256:ABC" }, false, "spec.change.digest", ExactPolicy with { RequireExactChange = false }) },
    };

    [Theory, RowsOf(nameof(Creates))]
    public void Create_rule(string name)
    {
        var c = Creates[name];
        var decision = AdmissionEngine.Decide(Requests.ApprovalCreate(c.Approval, Carol), Context(policy: c.Policy));
        Assert.True(c.Allowed == decision.Allowed, decision.Message);
        if (c.Fragment is { } f) Assert.Contains(f, decision.Message, StringComparison.Ordinal);
    }

    private static readonly Approval Stored = new Approval { ChangeDigest = D1, ChangeBase = D2 }.ApprovedBy("alice");

    private static Approval AddReject(Approval a, string who, TimeSpan? offset = null) =>
        a with { Approvals = [.. a.Approvals, new Entry(who, Now + (offset ?? TimeSpan.Zero), "not now", "Reject")] };

    public sealed record UpdateCase(Approval Old, Approval New, UserInfo User, bool Allowed, string? Fragment = null);

    public static readonly Table<UpdateCase> Updates = new()
    {
        { "an approver adds a Reject entry: allowed", new(Stored, AddReject(Stored, "dave"), Dave, true, "dave rejected") },
        { "someone outside approverGroups rejects: denied", new(Stored, AddReject(Stored, "eve"), Eve, false, "approver groups") },
        { "the requester rejects: denied", new(Stored, AddReject(Stored, Requester), Carol, false, "requested this change") },
        { "a Reject in another's name: denied", new(Stored, AddReject(Stored, "bob"), Dave, false, "your own username") },
        { "a Reject on an expired approval: denied", new(Stored with { NotBefore = Now.AddHours(-5), ExpiresAt = Now.AddSeconds(-1) }, AddReject(Stored with { NotBefore = Now.AddHours(-5), ExpiresAt = Now.AddSeconds(-1) }, "dave"), Dave, false, "expired") },
        { "the rejecter withdraws the Reject: allowed", new(AddReject(Stored, "dave"), Stored, Dave, true) },
        { "someone else removes the Reject: denied", new(AddReject(Stored, "dave"), Stored, User("alice", ApproverGroup), false, "cannot be changed or removed") },
        { "turning an Approve into a Reject in place: denied", new(Stored, Stored with { Approvals = [Stored.Approvals[0] with { Decision = "Reject" }] }, User("alice", ApproverGroup), false) },
        { "change cannot be edited: denied", new(Stored, Stored with { ChangeDigest = D2 }, Carol, false, "create a new ChangeApproval") },
    };

    [Theory, RowsOf(nameof(Updates))]
    public void Update_rule(string name)
    {
        var c = Updates[name];
        var decision = AdmissionEngine.Decide(Requests.ApprovalUpdate(c.Old, c.New, c.User), Context(policy: ExactPolicy));
        Assert.True(c.Allowed == decision.Allowed, decision.Message);
        if (c.Fragment is { } f) Assert.Contains(f, decision.Message, StringComparison.Ordinal);
    }

    private static ChangeApproval? Read(JsonObject node, List<InputError> errors) =>
        ChangeApprovalReader.Read(JsonSerializer.SerializeToElement(node), errors, "approvals.yaml");

    [Fact]
    public void Reader_reads_change_and_decisions()
    {
        var node = new Approval { ChangeDigest = D1, ChangeBase = D2 }.RejectedBy("dave", "no").ToNode();
        node["spec"]!["change"]!["manifest"] = new JsonObject { ["kind"] = "Deployment" };
        var errors = new List<InputError>();
        var a = Read(node, errors);
        Assert.Empty(errors);
        Assert.Equal(D1, a!.Change!.Digest);
        Assert.Equal(D2, a.Change.Base);
        Assert.Equal("Deployment", a.Change.Manifest!.Value.GetProperty("kind").GetString());
        Assert.Equal(EntryDecision.Reject, a.Approvals[0].Decision);
        Assert.Equal("no", a.Approvals[0].Comment);
    }

    public static TheoryData<string, string, string> BadFields => new()
    {
        { "change not an object", """{"change":"sha256:1"}""", "spec.change" },
        { "digest missing", """{"change":{"base":"D1"}}""", "spec.change.digest" },
        { "digest upper case", """{"change":{"digest":"sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}""", "spec.change.digest" },
        { "base not a digest", """{"change":{"digest":"D1","base":"md5:1"}}""", "spec.change.base" },
        { "manifest not an object", """{"change":{"digest":"D1","manifest":[1]}}""", "spec.change.manifest" },
        { "unknown decision", """{"approvals":[{"approver":"dave","approvedAt":"2026-03-06T11:00:00Z","decision":"Veto"}]}""", "spec.approvals[0].decision" },
        { "comment not a string", """{"approvals":[{"approver":"dave","approvedAt":"2026-03-06T11:00:00Z","comment":3}]}""", "spec.approvals[0].comment" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public void Reader_names_the_faulty_field(string name, string specPatch, string field)
    {
        var node = new Approval().ToNode();
        var patch = JsonNode.Parse(specPatch.Replace("D1", D1, StringComparison.Ordinal))!.AsObject();
        foreach (var (k, v) in patch.ToList())
        {
            patch.Remove(k);
            node["spec"]![k] = v;
        }
        var errors = new List<InputError>();
        Assert.Null(Read(node, errors));
        Assert.True(errors.Any(e => e.Field == field), $"{name}: {string.Join("; ", errors)}");
    }
}
