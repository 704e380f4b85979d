namespace Admission.Cluster.Tests;

public class WrittenStatusTests
{
    private static readonly DateTimeOffset Now = Objects.T0.AddHours(1);

    public static TheoryData<string, string[], int?, int, string, string, string, string> Cases => new()
    {
        // name, approvers, notBefore offset (h), expiresAt offset (h), phase, condition status, reason, message contains
        { "none yet", [], null, 8, "Pending", "False", "AwaitingApprovals", "0 of 2 approvals; needs 2 more" },
        { "one of two", ["alice"], null, 8, "Pending", "False", "AwaitingApprovals", "1 of 2 approvals (alice); needs 1 more" },
        { "two distinct", ["alice", "bob"], null, 8, "Approved", "True", "Approved", "2 of 2 approvals (alice, bob)" },
        { "requester does not count", ["carol", "alice"], null, 8, "Pending", "False", "AwaitingApprovals", "1 of 2 approvals (alice)" },
        { "duplicates count once", ["alice", "alice"], null, 8, "Pending", "False", "AwaitingApprovals", "1 of 2 approvals (alice)" },
        { "expired beats approved", ["alice", "bob"], -5, -1, "Expired", "False", "Expired", "expired at 2026-03-06T10:00:00Z" },
        { "expires exactly now", ["alice", "bob"], null, 0, "Expired", "False", "Expired", "expired at" },
        { "not yet valid", ["alice", "bob"], 1, 8, "Pending", "False", "NotYetValid", "not valid before 2026-03-06T12:00:00Z" },
        { "valid from now", ["alice", "bob"], 0, 8, "Approved", "True", "Approved", "valid until" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Computes_phase_and_condition(string name, string[] approvers, int? notBeforeHours, int expiresHours,
        string phase, string status, string reason, string message)
    {
        var approval = Objects.Cached(Objects.Approval(approvers: approvers, generation: 3,
            notBefore: notBeforeHours is { } nb ? Now.AddHours(nb) : null, expiresAt: Now.AddHours(expiresHours)));
        var computed = WrittenStatus.Compute(approval, AdmissionPolicy.Default, Now);
        Assert.True(phase == computed.Phase, $"{name}: phase {computed.Phase}");
        Assert.Equal(status, computed.Condition.Status);
        Assert.Equal(reason, computed.Condition.Reason);
        Assert.Contains(message, computed.Condition.Message, StringComparison.Ordinal);
        Assert.Equal(3, computed.ObservedGeneration);
        Assert.Equal(3, computed.Condition.ObservedGeneration);
        Assert.Equal(Now, computed.Condition.LastTransitionTime);
    }

    public static TheoryData<string, string[], int, string, string> Retrospective => new()
    {
        // name, reviewers, expiresAt offset (h), phase, reason
        { "unreviewed, in its window", [], 8, "Pending", "AwaitingApprovals" },
        { "unreviewed, past its window: a debt, never Expired", [], -1, "Pending", "AwaitingApprovals" },
        { "one review, past its window", ["alice"], -1, "Pending", "AwaitingApprovals" },
        { "reviewed by two, past its window: closed", ["alice", "bob"], -1, "Approved", "Approved" },
        { "the break-glass user's own entry does not count", ["erin", "alice"], 8, "Pending", "AwaitingApprovals" },
    };

    /// <summary>A break-glass review admits nothing, so time neither hides nor closes it: Pending until two have reviewed it.</summary>
    [Theory]
    [MemberData(nameof(Retrospective))]
    public void A_retrospective_approval_is_pending_until_reviewed(string name, string[] reviewers, int expiresHours, string phase, string reason)
    {
        var node = Objects.ApprovalNode(requestedBy: "erin", approvers: reviewers, notBefore: Now.AddHours(-10), expiresAt: Now.AddHours(expiresHours));
        node["metadata"]!["labels"] = new System.Text.Json.Nodes.JsonObject { [Policies.Model.ChangeApproval.RetrospectiveLabel] = "true" };
        var computed = WrittenStatus.Compute(Objects.Cached(Objects.Element(node)), AdmissionPolicy.Default, Now);
        Assert.True(phase == computed.Phase, $"{name}: phase {computed.Phase}");
        Assert.Equal(reason, computed.Condition.Reason);
    }

    [Fact]
    public void ApprovedBy_lists_the_counted_approvers_in_order()
    {
        var approval = Objects.Cached(Objects.Approval(approvers: ["bob", "carol", "alice", "bob"]));
        Assert.Equal(["bob", "alice"], WrittenStatus.Compute(approval, AdmissionPolicy.Default, Now).ApprovedBy);
    }

    [Fact]
    public void Three_required_by_policy()
    {
        var approval = Objects.Cached(Objects.Approval(approvers: ["alice", "bob"]));
        var computed = WrittenStatus.Compute(approval, AdmissionPolicy.Default with { RequiredApprovals = 3 }, Now);
        Assert.Equal("Pending", computed.Phase);
        Assert.Contains("2 of 3 approvals", computed.Condition.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LastTransitionTime_moves_only_when_the_condition_status_flips()
    {
        var raw = Objects.Approval(approvers: ["alice"]);
        var first = WrittenStatus.Compute(Objects.Cached(raw), AdmissionPolicy.Default, Now);
        var stored = Objects.WithStatus(raw, first.ToJson());

        // Same status (False), new message: the transition time stays.
        var later = Now.AddMinutes(5);
        var unchanged = WrittenStatus.Compute(Objects.Cached(Objects.WithStatus(Objects.Approval(approvers: []), first.ToJson())), AdmissionPolicy.Default, later);
        Assert.Equal(first.Condition.LastTransitionTime, unchanged.Condition.LastTransitionTime);

        // Flips to True: the transition time is now.
        var approved = WrittenStatus.Compute(Objects.Cached(Objects.WithStatus(Objects.Approval(approvers: ["alice", "bob"]), first.ToJson())), AdmissionPolicy.Default, later);
        Assert.Equal(later, approved.Condition.LastTransitionTime);

        // Written and read back, it compares equal: nothing to write.
        Assert.Equal(first, WrittenStatus.Parse(Objects.Cached(stored).Status));
    }

    [Fact]
    public void An_unreadable_approval_is_pending_and_says_why()
    {
        var node = Objects.ApprovalNode();
        node["spec"]!.AsObject().Remove("expiresAt");
        var approval = Objects.Cached(Objects.Element(node));
        Assert.Null(approval.Model);
        var computed = WrittenStatus.Compute(approval, AdmissionPolicy.Default, Now);
        Assert.Equal(("Pending", "Invalid"), (computed.Phase, computed.Condition.Reason));
        Assert.Contains("spec.expiresAt", computed.Condition.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_json_has_the_contract_shape()
    {
        var computed = WrittenStatus.Compute(Objects.Cached(Objects.Approval(approvers: ["alice", "bob"], generation: 2)), AdmissionPolicy.Default, Now);
        var json = computed.ToJson();
        Assert.Equal("Approved", (string?)json["phase"]);
        Assert.Equal(2, (long?)json["observedGeneration"]);
        Assert.Equal("alice", (string?)json["approvedBy"]![0]);
        var condition = json["conditions"]![0]!;
        Assert.Equal("Approved", (string?)condition["type"]);
        Assert.Equal("True", (string?)condition["status"]);
        Assert.Equal("Approved", (string?)condition["reason"]);
        Assert.Equal("2026-03-06T11:00:00Z", (string?)condition["lastTransitionTime"]);
        Assert.Equal(2, (long?)condition["observedGeneration"]);
    }

    [Theory]
    [InlineData(1, 8, 1)]     // before notBefore: wake at notBefore
    [InlineData(-1, 8, 8)]    // inside the window: wake at expiresAt
    [InlineData(null, 8, 8)]
    [InlineData(-5, -1, null)] // expired: nothing left to wait for
    public void Next_transition_is_notBefore_then_expiresAt(int? notBeforeHours, int expiresHours, int? expectedHours)
    {
        var approval = Objects.Cached(Objects.Approval(notBefore: notBeforeHours is { } nb ? Now.AddHours(nb) : null, expiresAt: Now.AddHours(expiresHours)));
        Assert.Equal(expectedHours is { } e ? Now.AddHours(e) : null, WrittenStatus.NextTransition(approval, Now));
    }
}

/// <summary>Contract section 1, version 2: a Reject entry makes the phase Rejected, with who and what they said.</summary>
public class RejectedStatusTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 6, 12, 0, 0, TimeSpan.Zero);

    private static CachedApproval WithReject(string? comment)
    {
        var node = Objects.ApprovalNode("payments", "checkout-1", "carol", ["alice", "bob"], Now.AddHours(3), Now.AddHours(-1), "1", 1, "checkout");
        var entry = new System.Text.Json.Nodes.JsonObject { ["approver"] = "dave", ["approvedAt"] = "2026-03-06T11:50:00Z", ["decision"] = "Reject" };
        if (comment is not null) entry["comment"] = comment;
        node["spec"]!["approvals"]!.AsArray().Add(entry);
        return Objects.Cached(Objects.Element(node));
    }

    [Fact]
    public void A_Reject_entry_makes_it_Rejected_naming_who_and_their_comment()
    {
        var computed = WrittenStatus.Compute(WithReject("not during the sale"), AdmissionPolicy.Default, Now);
        Assert.Equal("Rejected", computed.Phase);
        Assert.Equal(["dave"], computed.RejectedBy);
        Assert.Equal(["alice", "bob"], computed.ApprovedBy);
        Assert.Equal("Rejected", computed.Condition.Reason);
        Assert.Equal("False", computed.Condition.Status);
        Assert.Contains("rejected by dave: \"not during the sale\"", computed.Condition.Message, StringComparison.Ordinal);
        var json = computed.ToJson();
        Assert.Equal("dave", (string?)json["rejectedBy"]![0]);
    }

    [Fact]
    public void The_written_status_reads_back_equal_so_it_is_not_rewritten()
    {
        var computed = WrittenStatus.Compute(WithReject(null), AdmissionPolicy.Default, Now);
        var parsed = WrittenStatus.Parse(Objects.Element(computed.ToJson()));
        Assert.Equal(computed, parsed);
    }
}
