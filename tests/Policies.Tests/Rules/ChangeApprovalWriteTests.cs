namespace Admission.Policies.Tests.Rules;

/// <summary>Contract section 3: ChangeApprovals cannot be forged, back-dated or edited after the fact.</summary>
public class ChangeApprovalWriteTests
{
    private static readonly UserInfo Carol = User(Requester, ApproverGroup, "developers");
    private static readonly UserInfo Alice = User("alice", ApproverGroup);
    private static readonly UserInfo Bob = User("bob", ApproverGroup);
    private static readonly UserInfo Mallory = User("mallory", ApproverGroup);
    private static readonly UserInfo Eve = User("eve", "developers");

    private static readonly AdmissionPolicy Tickets = ParsePolicy("ticketPattern: \"CHG-[0-9]+\"");

    public sealed record Case(Func<AdmissionInput> Request, bool Allowed, string? Fragment = null, AdmissionPolicy? Policy = null)
    {
        public void Verify()
        {
            var decision = AdmissionEngine.Decide(Request(), Context(policy: Policy));
            Assert.True(Allowed == decision.Allowed, $"expected allowed={Allowed}, got {decision.Code}: {decision.Message}");
            Assert.Equal(Allowed ? decision.Code : DecisionCode.Denied, decision.Code);
            Assert.Null(decision.Approval);
            if (Fragment is { } f) Assert.Contains(f, decision.Message, StringComparison.Ordinal);
            // A refusal is structured: one cause per problem, with a known code, whose words are in the message.
            if (!Allowed)
            {
                Assert.NotEmpty(decision.Causes);
                Assert.All(decision.Causes, c => Assert.Contains(c.Code, KnownCodes));
                Assert.All(decision.Causes, c => Assert.Contains(c.Message, decision.Message, StringComparison.Ordinal));
            }
        }
    }

    private static readonly string[] KnownCodes = [.. typeof(ApprovalRefusals).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)];

    /// <summary>The reason code each refused write carries (the plugin acts on these, never on the words).</summary>
    public static readonly Table<(bool Create, string Code)> Codes = new()
    {
        { "created by someone who is not requestedBy: denied", (true, ApprovalRefusals.RequesterNotYou) },
        { "approvals not empty: denied", (true, ApprovalRefusals.ApprovalsAtCreation) },
        { "expiresAt in the past: denied", (true, ApprovalRefusals.ExpiresInPast) },
        { "expiresAt before notBefore: denied", (true, ApprovalRefusals.ExpiresBeforeStart) },
        { "maxValidity: 168h and 1s after now: denied", (true, ApprovalRefusals.ValidityTooLong) },
        { "notBefore more than maxValidity after now: denied", (true, ApprovalRefusals.NotBeforeTooFar) },
        { "reason of white space only: denied", (true, ApprovalRefusals.ReasonInvisible) },
        { "target.kind missing: denied", (true, ApprovalRefusals.InvalidField) },
        { "ticketPattern: ticket missing: denied", (true, ApprovalRefusals.TicketRequired) },
        { "ticketPattern: partial match, text after: denied", (true, ApprovalRefusals.TicketMismatch) },
        { "reason changed: denied", (false, ApprovalRefusals.SpecChanged) },
        { "entry in someone else's name: denied", (false, ApprovalRefusals.ApproverNotYou) },
        { "requester approving own change: denied", (false, ApprovalRefusals.OwnRequest) },
        { "approver already present: denied", (false, ApprovalRefusals.AlreadyReviewed) },
        { "approvedAt 5m1s behind the clock: denied", (false, ApprovalRefusals.ClockSkew) },
        { "approvedAt missing: denied", (false, ApprovalRefusals.ApprovedAtMissing) },
        { "user in no approver group: denied", (false, ApprovalRefusals.NotApprover) },
        { "expired approval cannot be approved", (false, ApprovalRefusals.Expired) },
        { "two entries at once (own and another): denied", (false, ApprovalRefusals.TooManyAdded) },
        { "removing someone else's entry: denied", (false, ApprovalRefusals.OthersEntry) },
    };

    [Theory, RowsOf(nameof(Codes))]
    public void Refusal_code(string name)
    {
        var (create, code) = Codes[name];
        var row = create ? Creates[name] : Updates[name];
        var decision = AdmissionEngine.Decide(row.Request(), Context(policy: row.Policy));
        Assert.False(decision.Allowed);
        Assert.Contains(code, decision.Causes.Select(c => c.Code));
    }

    // CREATE: by default carol creates an approval she requested, valid from an hour ago for four hours.
    private static readonly Approval Fresh = new();

    private static Case Create(Approval a, bool allowed, string? fragment = null, AdmissionPolicy? policy = null, UserInfo? user = null) =>
        new(() => Requests.ApprovalCreate(a, user ?? Carol), allowed, fragment, policy);

    private static readonly TimeSpan Week = TimeSpan.FromHours(168);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    public static readonly Table<Case> Creates = new()
    {
        { "well formed: allowed", Create(Fresh, true) },
        { "created by someone who is not requestedBy: denied", Create(Fresh, false, "spec.requestedBy", user: Alice) },
        { "requestedBy missing: denied", Create(Fresh with { RequestedBy = null }, false, "spec.requestedBy") },
        { "approvals not empty: denied", Create(Fresh.ApprovedBy("alice"), false, "spec.approvals") },
        { "approvals holding the requester's own entry: denied", Create(Fresh.ApprovedBy(Requester), false, "spec.approvals") },
        { "expiresAt exactly now: denied", Create(Fresh with { NotBefore = null, ExpiresAt = Now }, false, "not in the future") },
        { "expiresAt in the past: denied", Create(Fresh with { NotBefore = null, ExpiresAt = Now - Second }, false, "not in the future") },
        { "expiresAt one second ahead: allowed", Create(Fresh with { NotBefore = null, ExpiresAt = Now + Second }, true) },
        { "expiresAt equal to notBefore: denied", Create(Fresh with { NotBefore = Now.AddHours(1), ExpiresAt = Now.AddHours(1) }, false, "after spec.notBefore") },
        { "expiresAt before notBefore: denied", Create(Fresh with { NotBefore = Now.AddHours(2), ExpiresAt = Now.AddHours(1) }, false, "after spec.notBefore") },
        { "expiresAt one second after a future notBefore: allowed", Create(Fresh with { NotBefore = Now.AddHours(1), ExpiresAt = Now.AddHours(1) + Second }, true) },
        { "maxValidity: exactly 168h after now: allowed", Create(Fresh with { NotBefore = null, ExpiresAt = Now + Week }, true) },
        { "maxValidity: 168h and 1s after now: denied", Create(Fresh with { NotBefore = null, ExpiresAt = Now + Week + Second }, false, "maxValidity (168h)") },
        { "maxValidity: exactly 168h after a future notBefore: allowed", Create(Fresh with { NotBefore = Now.AddHours(24), ExpiresAt = Now.AddHours(24) + Week }, true) },
        { "maxValidity: 168h and 1s after a future notBefore: denied", Create(Fresh with { NotBefore = Now.AddHours(24), ExpiresAt = Now.AddHours(24) + Week + Second }, false, "after spec.notBefore") },
        { "maxValidity: from now when notBefore is past (192h after it, 168h after now): allowed", Create(Fresh with { NotBefore = Now.AddHours(-24), ExpiresAt = Now + Week }, true) },
        { "maxValidity: from now when notBefore is past, 168h and 1s after now: denied", Create(Fresh with { NotBefore = Now.AddHours(-24), ExpiresAt = Now + Week + Second }, false, "after now") },
        { "maxValidity 1h from the policy file: 1h allowed", Create(Fresh with { NotBefore = null, ExpiresAt = Now.AddHours(1) }, true, policy: ParsePolicy("maxValidity: 1h")) },
        { "maxValidity 1h from the policy file: 1h and 1s denied", Create(Fresh with { NotBefore = null, ExpiresAt = Now.AddHours(1) + Second }, false, "maxValidity (1h)", ParsePolicy("maxValidity: 1h")) },
        { "target.kind missing: denied", Create(Fresh with { Kind = null }, false, "spec.target.kind") },
        { "target.name missing: denied", Create(Fresh with { TargetName = null }, false, "spec.target.name") },
        { "target.kind empty: denied", Create(Fresh with { Kind = "" }, false, "spec.target.kind") },
        { "reason missing: denied", Create(Fresh with { Reason = null }, false, "spec.reason") },
        { "reason empty: denied", Create(Fresh with { Reason = "" }, false, "spec.reason") },
        { "reason of white space only: denied", Create(Fresh with { Reason = " \t " }, false, "visible characters") },
        { "reason of invisible characters only (U+200B, U+2060): denied", Create(Fresh with { Reason = "\u200B\u2060" }, false, "visible characters") },
        { "reason of one visible character: allowed", Create(Fresh with { Reason = "\u200B.\u200B" }, true) },
        { "notBefore exactly maxValidity after now: allowed", Create(Fresh with { NotBefore = Now + Week, ExpiresAt = Now + Week + TimeSpan.FromHours(1) }, true) },
        { "notBefore more than maxValidity after now: denied", Create(Fresh with { NotBefore = Now + Week + Second, ExpiresAt = Now + Week + TimeSpan.FromHours(1) }, false, "spec.notBefore") },
        { "notBefore far in the future (a pre-signed approval): denied", Create(Fresh with { NotBefore = Now.AddDays(300), ExpiresAt = Now.AddDays(301) }, false, "spec.notBefore") },
        { "reason of 1024 characters: allowed", Create(Fresh with { Reason = new string('r', 1024) }, true) },
        { "reason of 1025 characters: denied", Create(Fresh with { Reason = new string('r', 1025) }, false, "spec.reason") },
        { "unknown operation: denied", Create(Fresh.Covering("PATCH"), false, "spec.operations[0]") },
        { "expiresAt missing: denied", Create(Fresh with { ExpiresAt = null }, false, "spec.expiresAt") },
        { "ticketPattern: ticket matches in full: allowed", Create(Fresh with { Ticket = "CHG-12345" }, true, policy: Tickets) },
        { "ticketPattern: ticket missing: denied", Create(Fresh, false, "spec.ticket", Tickets) },
        { "ticketPattern: partial match, text after: denied", Create(Fresh with { Ticket = "CHG-12345 and more" }, false, "spec.ticket", Tickets) },
        { "ticketPattern: partial match, text before: denied", Create(Fresh with { Ticket = "XCHG-12345" }, false, "spec.ticket", Tickets) },
        { "ticketPattern: a trailing newline is not a full match: denied", Create(Fresh with { Ticket = "CHG-12345\n" }, false, "spec.ticket", Tickets) },
        { "ticketPattern with alternation: second branch in full: allowed", Create(Fresh with { Ticket = "INC-7" }, true, policy: ParsePolicy("ticketPattern: \"CHG-[0-9]+|INC-[0-9]+\"")) },
        { "ticketPattern with alternation: each branch must match in full: denied", Create(Fresh with { Ticket = "CHG-1 INC-7" }, false, "spec.ticket", ParsePolicy("ticketPattern: \"CHG-[0-9]+|INC-[0-9]+\"")) },
        { "no ticketPattern: any ticket allowed", Create(Fresh with { Ticket = "whatever" }, true) },
        { "no ticketPattern: no ticket allowed", Create(Fresh, true) },
    };

    [Theory, RowsOf(nameof(Creates))]
    public void Create_rule(string name) => Creates[name].Verify();

    [Fact]
    public void Create_reports_every_problem_at_once()
    {
        var bad = Fresh with { RequestedBy = "alice", NotBefore = null, ExpiresAt = Now.AddDays(30) };

        var decision = AdmissionEngine.Decide(Requests.ApprovalCreate(bad.ApprovedBy("bob"), Carol), Context(policy: Tickets));

        Assert.False(decision.Allowed);
        foreach (var field in new[] { "spec.requestedBy", "spec.approvals", "spec.expiresAt", "spec.ticket" })
        {
            Assert.Contains(field, decision.Message, StringComparison.Ordinal);
        }
    }

    // UPDATE: the stored approval has an entry by alice; approvers append entries made at Now.
    private static readonly Approval Stored = new();
    private static readonly Approval ByAlice = Stored.ApprovedBy("alice");
    private static readonly Approval ByAliceBob = ByAlice.ApprovedBy("bob");

    private static Approval Add(Approval a, string approver, TimeSpan? offset = null, string? comment = null) =>
        a with { Approvals = [.. a.Approvals, new Entry(approver, Now + (offset ?? TimeSpan.Zero), comment)] };

    private static Approval Without(Approval a, string approver) => a with { Approvals = [.. a.Approvals.Where(e => e.Approver != approver)] };

    private static Approval Edit(Approval a, int index, Func<Entry, Entry> edit) =>
        a with { Approvals = [.. a.Approvals.Select((e, i) => i == index ? edit(e) : e)] };

    private static Case Update(Approval old, Approval updated, UserInfo user, bool allowed, string? fragment = null, AdmissionPolicy? policy = null) =>
        new(() => Requests.ApprovalUpdate(old, updated, user), allowed, fragment, policy);

    private static readonly Approval Expired = ByAlice with { NotBefore = Now.AddHours(-5), ExpiresAt = Now - Second };

    public static readonly Table<Case> Updates = new()
    {
        // Persons, not strings: a second spelling is the same approver, and the requester under any spelling is the requester.
        { "Alice after alice: same person, denied", Update(ByAlice, Add(ByAlice, "Alice"), User("Alice", ApproverGroup), false, "names the same person as \"alice\"") },
        { "alice with a Cyrillic а after alice: denied", Update(ByAlice, Add(ByAlice, "\u0430lice"), User("\u0430lice", ApproverGroup), false, "names the same person as \"alice\"") },
        { "Carol with a trailing space on carol's request: denied", Update(Stored, Add(Stored, "Carol "), User("Carol ", ApproverGroup), false, "same person as the requester") },
        { "cаrol (Cyrillic а) on carol's request: denied", Update(Stored, Add(Stored, "c\u0430rol"), User("c\u0430rol", ApproverGroup), false, "same person as the requester") },
        { "car\u200Bol (zero-width space) on carol's request: denied", Update(Stored, Add(Stored, "car\u200Bol"), User("car\u200Bol", ApproverGroup), false, "same person as the requester") },
        { "a different person after alice: allowed", Update(ByAlice, Add(ByAlice, "bob"), Bob, true) },
        // Spec unchanged.
        { "labels changed, spec unchanged: allowed for anyone", Update(ByAlice, ByAlice with { Labels = new Dictionary<string, string> { ["team"] = "pay" } }, Eve, true) },
        { "labels changed on an expired approval: allowed", Update(Expired, Expired with { Labels = new Dictionary<string, string> { ["team"] = "pay" } }, Eve, true) },

        // Everything in spec but approvals is fixed.
        { "target name changed: denied", Update(ByAlice, ByAlice with { TargetName = "cart" }, Alice, false, "create a new ChangeApproval") },
        { "target kind changed: denied", Update(ByAlice, ByAlice with { Kind = "StatefulSet" }, Alice, false) },
        { "target apiGroup changed: denied", Update(ByAlice, ByAlice with { ApiGroup = "" }, Alice, false) },
        { "reason changed: denied", Update(ByAlice, ByAlice with { Reason = "something else" }, Carol, false) },
        { "images changed: denied", Update(ByAlice, ByAlice with { Images = ["registry.example.com/evil:1"] }, Carol, false) },
        { "operations changed: denied", Update(ByAlice, ByAlice.Covering("CREATE", "UPDATE", "DELETE"), Carol, false) },
        { "expiresAt extended: denied", Update(ByAlice, ByAlice with { ExpiresAt = Now.AddHours(6) }, Carol, false) },
        { "expiresAt shortened: denied", Update(ByAlice, ByAlice with { ExpiresAt = Now.AddHours(1) }, Carol, false) },
        { "notBefore changed: denied", Update(ByAlice, ByAlice with { NotBefore = Now.AddHours(-2) }, Carol, false) },
        { "requestedBy changed: denied", Update(ByAlice, ByAlice with { RequestedBy = "mallory" }, Mallory, false) },
        { "ticket changed: denied", Update(ByAlice, ByAlice with { Ticket = "CHG-1" }, Carol, false) },
        { "target changed together with an own entry: denied", Update(ByAlice, Add(ByAlice, "bob") with { TargetName = "cart" }, Bob, false) },

        // Adding an entry.
        { "approver appends own entry: allowed", Update(Stored, Add(Stored, "alice"), Alice, true) },
        { "second approver appends own entry: allowed", Update(ByAlice, Add(ByAlice, "bob"), Bob, true) },
        { "own entry with a comment: allowed", Update(ByAlice, Add(ByAlice, "bob", comment: "checked the canary"), Bob, true) },
        { "entry in someone else's name: denied", Update(ByAlice, Add(ByAlice, "bob"), Mallory, false, "must be your own username") },
        { "requester approving own change: denied", Update(ByAlice, Add(ByAlice, Requester), Carol, false, "cannot approve it") },
        { "approver already present: denied", Update(ByAlice, Add(ByAlice, "alice"), Alice, false, "already approved") },
        { "approvedAt 5m1s behind the clock: denied", Update(ByAlice, Add(ByAlice, "bob", TimeSpan.FromSeconds(-301)), Bob, false, "more than 5 minutes") },
        { "approvedAt 5m1s ahead of the clock: denied", Update(ByAlice, Add(ByAlice, "bob", TimeSpan.FromSeconds(301)), Bob, false, "more than 5 minutes") },
        { "approvedAt exactly 5m behind: allowed", Update(ByAlice, Add(ByAlice, "bob", TimeSpan.FromMinutes(-5)), Bob, true) },
        { "approvedAt exactly 5m ahead: allowed", Update(ByAlice, Add(ByAlice, "bob", TimeSpan.FromMinutes(5)), Bob, true) },
        { "approvedAt back-dated by a day: denied", Update(ByAlice, Add(ByAlice, "bob", TimeSpan.FromDays(-1)), Bob, false, "more than 5 minutes") },
        { "approvedAt missing: denied", Update(ByAlice, ByAlice with { Approvals = [.. ByAlice.Approvals, new Entry("bob", null)] }, Bob, false, "approvedAt") },
        { "user in no approver group: denied", Update(ByAlice, Add(ByAlice, "eve"), Eve, false, "approver groups") },
        { "custom approverGroups: member allowed", Update(ByAlice, Add(ByAlice, "rita"), User("rita", "release-managers"), true, policy: Policy with { ApproverGroups = Set("release-managers") }) },
        { "custom approverGroups: default group no longer enough", Update(ByAlice, Add(ByAlice, "bob"), Bob, false, policy: Policy with { ApproverGroups = Set("release-managers") }) },
        { "expired approval cannot be approved", Update(Expired, Add(Expired, "bob"), Bob, false, "expired") },
        { "approval exactly at expiresAt cannot be approved", Update(ByAlice with { ExpiresAt = Now }, Add(ByAlice with { ExpiresAt = Now }, "bob"), Bob, false, "expired") },
        { "two entries at once (own and another): denied", Update(Stored, Add(Add(Stored, "alice"), "bob"), Alice, false, "at most one") },
        { "two own entries at once: denied", Update(Stored, Add(Add(Stored, "alice"), "alice"), Alice, false) },
        { "own entry inserted before existing ones: denied", Update(ByAlice, ByAlice with { Approvals = [new Entry("bob", Now), .. ByAlice.Approvals] }, Bob, false) },

        // Removing and editing entries.
        { "approver removes own entry: allowed", Update(ByAliceBob, Without(ByAliceBob, "alice"), Alice, true) },
        { "approver removes own last entry: allowed", Update(ByAliceBob, Without(ByAliceBob, "bob"), Bob, true) },
        { "approver removes own entry from an expired approval: allowed", Update(Expired, Without(Expired, "alice"), Alice, true) },
        { "removing someone else's entry: denied", Update(ByAliceBob, Without(ByAliceBob, "alice"), Mallory, false, "alice") },
        { "an approver removing another approver's entry: denied", Update(ByAliceBob, Without(ByAliceBob, "alice"), Bob, false) },
        { "the requester removing an entry: denied", Update(ByAliceBob, Without(ByAliceBob, "bob"), Carol, false) },
        { "removing every entry: denied", Update(ByAliceBob, Stored, Mallory, false) },
        { "editing someone else's comment: denied", Update(ByAliceBob, Edit(ByAliceBob, 0, e => e with { Comment = "LGTM" }), Mallory, false) },
        { "editing someone else's approvedAt: denied", Update(ByAliceBob, Edit(ByAliceBob, 0, e => e with { ApprovedAt = Now }), Mallory, false) },
        { "renaming someone else's entry to oneself: denied", Update(ByAliceBob, Edit(ByAliceBob, 0, e => e with { Approver = "mallory" }), Mallory, false) },
        { "editing one's own entry in place: denied", Update(ByAliceBob, Edit(ByAliceBob, 0, e => e with { ApprovedAt = Now }), Alice, false) },
        { "reordering entries by a third party: denied", Update(ByAliceBob, ByAliceBob with { Approvals = [.. ByAliceBob.Approvals.Reverse()] }, Mallory, false) },
        { "reordering entries by one of the approvers: denied", Update(ByAliceBob, ByAliceBob with { Approvals = [.. ByAliceBob.Approvals.Reverse()] }, Alice, false) },
        { "removing someone else's entry and adding one's own: denied", Update(ByAliceBob, Add(Without(ByAliceBob, "alice"), "mallory"), Mallory, false) },

        // DELETE.
        { "DELETE by anyone: allowed", new(() => Requests.ApprovalDelete(ByAliceBob, Eve), true) },
        { "DELETE of an expired approval: allowed", new(() => Requests.ApprovalDelete(Expired, Eve), true) },
    };

    [Theory, RowsOf(nameof(Updates))]
    public void Update_or_delete_rule(string name) => Updates[name].Verify();

    [Fact]
    public void ChangeApprovals_are_guarded_in_every_namespace_not_only_Tier1()
    {
        var elsewhere = Fresh with { Namespace = Plain };

        var forged = AdmissionEngine.Decide(Requests.ApprovalCreate(elsewhere.ApprovedBy("alice", "bob"), Carol), Context());
        var honest = AdmissionEngine.Decide(Requests.ApprovalCreate(elsewhere, Carol), Context());

        Assert.False(forged.Allowed);
        Assert.True(honest.Allowed);
    }
}
