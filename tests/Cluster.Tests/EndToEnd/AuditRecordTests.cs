namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>The change record for auditors: emitted once when an approved change is applied, and outliving the ChangeApproval.</summary>
public sealed class AuditRecordTests : ClusterTest
{
    private IEnumerable<string> Finalizers(string name) =>
        _cluster.Approval(name)?["metadata"]?["finalizers"] is JsonArray a ? a.Select(f => f!.ToString()) : [];

    [Fact]
    public async Task A_change_applied_and_deleted_while_no_operator_runs_keeps_its_record_and_only_then_goes()
    {
        // b serves the webhook throughout and never leads; a is the operator.
        await _cluster.StartAdmissionAsync("admission-b", extraArgs: ["--no-leader-election"]);
        var admission = await _cluster.StartAdmissionAsync("admission-a");
        await ApprovedAsync("held");
        // Approved: the change may be applied any moment, so its deletion now waits for the record.
        await Wait.UntilAsync(() => Finalizers("held").Contains("audit.approvals.admission.dev/record"), TimeSpan.FromSeconds(15), () => _cluster.Logs);

        // The operator is down while the change is applied and the ChangeApproval deleted (b admits the DELETE).
        await admission.StopAsync();
        await _cluster.MarkAppliedAsync("held");
        await _cluster.Client("admin").CustomObjects.DeleteNamespacedCustomObjectAsync(ChangeApproval.Group, ChangeApproval.Version, ClusterHarness.Ns, ChangeApproval.Plural, "held");
        var held = _cluster.Approval("held");
        Assert.NotNull(held);
        Assert.NotNull(held["metadata"]!["deletionTimestamp"]);

        // Back, the leader writes the record, then lets the deletion finish.
        var back = await _cluster.StartAdmissionAsync("admission-a");
        await Wait.UntilAsync(() => _cluster.Approval("held") is null, TimeSpan.FromSeconds(20), () => _cluster.Logs);
        var line = Assert.Single(back.Output, l => l.Contains("change record {", StringComparison.Ordinal));
        var record = JsonNode.Parse(line[(line.IndexOf("change record ", StringComparison.Ordinal) + "change record ".Length)..])!;
        Assert.Equal("held", record["changeApproval"]!["name"]!.ToString());
        Assert.Equal(["alice", "bob"], record["approvedBy"]!.AsArray().Select(r => r!.ToString()));
        Assert.Contains(_cluster.EventsFor("held"), e => e["reason"]?.ToString() == "ChangeApplied");
        var changes = _cluster.Api.Changes.Where(c => c.Resource == ChangeApproval.Plural && c.Name == "held").ToList();
        var recorded = changes.FindIndex(c => c.Item["metadata"]?["annotations"]?["audit.approvals.admission.dev/record"] is not null);
        var gone = changes.FindIndex(c => c.Type == "DELETED");
        Assert.True(recorded >= 0 && recorded < gone, $"record at {recorded}, deleted at {gone}");
    }

    [Fact]
    public async Task An_approval_deleted_before_its_change_was_applied_is_let_go_without_a_record()
    {
        await _cluster.StartAdmissionAsync();
        await ApprovedAsync("unused");
        await Wait.UntilAsync(() => Finalizers("unused").Contains("audit.approvals.admission.dev/record"), TimeSpan.FromSeconds(15), () => _cluster.Logs);
        await _cluster.Client("admin").CustomObjects.DeleteNamespacedCustomObjectAsync(ChangeApproval.Group, ChangeApproval.Version, ClusterHarness.Ns, ChangeApproval.Plural, "unused");
        await Wait.UntilAsync(() => _cluster.Approval("unused") is null, TimeSpan.FromSeconds(15), () => _cluster.Logs);
        Assert.DoesNotContain(_cluster.Api.Changes, c => c.Name == "unused" && c.Item["metadata"]?["annotations"]?["audit.approvals.admission.dev/record"] is not null);
    }

    [Fact]
    public async Task An_applied_change_leaves_a_record_in_the_log_an_event_and_the_object_that_survives_its_deletion()
    {
        var admission = await _cluster.StartAdmissionAsync();
        await ApprovedAsync("audited");
        var uid = _cluster.Approval("audited")!["metadata"]!["uid"]!.ToString();
        await _cluster.MarkAppliedAsync("audited");

        await Wait.UntilAsync(() => _cluster.Approval("audited")?["metadata"]?["annotations"]?["audit.approvals.admission.dev/record"] is not null,
            TimeSpan.FromSeconds(15), () => _cluster.Logs);
        var kept = JsonNode.Parse(_cluster.Approval("audited")!["metadata"]!["annotations"]!["audit.approvals.admission.dev/record"]!.ToString())!;

        var lines = admission.Output.Where(l => l.Contains("change record {", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(lines);
        var logged = JsonNode.Parse(line[(line.IndexOf("change record ", StringComparison.Ordinal) + "change record ".Length)..])!;
        Assert.True(JsonNode.DeepEquals(kept, logged), $"kept {kept}\nlogged {logged}");

        Assert.Equal("ChangeApplied", logged["kind"]!.ToString());
        Assert.Equal(uid, logged["changeApproval"]!["uid"]!.ToString());
        Assert.Equal("Deployment", logged["target"]!["kind"]!.ToString());
        Assert.Equal("checkout", logged["target"]!["name"]!.ToString());
        Assert.Equal("carol", logged["requestedBy"]!.ToString());
        Assert.Equal("Roll out 2.4.1, fixes INC-4411", logged["reason"]!.ToString());
        Assert.Equal(["alice", "bob"], logged["reviews"]!.AsArray().Select(r => r!["by"]!.ToString()));
        Assert.All(logged["reviews"]!.AsArray(), r => Assert.Equal("checked", r!["comment"]!.ToString()));
        Assert.Equal(["alice", "bob"], logged["approvedBy"]!.AsArray().Select(r => r!.ToString()));
        Assert.NotNull(logged["appliedAt"]);

        var ev = Assert.Single(_cluster.EventsFor("audited"), e => e["reason"]?.ToString() == "ChangeApplied");
        Assert.Contains("requested by carol, approved by alice, bob", ev["message"]!.ToString(), StringComparison.Ordinal);

        // Deleted, the ChangeApproval takes nothing with it: the Event and the log line stay.
        // The record is out, so the audit finalizer comes off (if it has not already) and the delete completes.
        await _cluster.Client("admin").CustomObjects.DeleteNamespacedCustomObjectAsync(ChangeApproval.Group, ChangeApproval.Version, ClusterHarness.Ns, ChangeApproval.Plural, "audited");
        await Wait.UntilAsync(() => _cluster.Approval("audited") is null, TimeSpan.FromSeconds(15), () => _cluster.Logs);
        var events = await _cluster.Client("admin").CoreV1.ListNamespacedEventAsync(ClusterHarness.Ns);
        Assert.Contains(events.Items, e => e.Reason == "ChangeApplied" && e.InvolvedObject.Uid == uid);
        Assert.Single(admission.Output, l => l.Contains("change record {", StringComparison.Ordinal));
    }
}
