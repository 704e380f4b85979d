using System.Text.Json.Nodes;
using Admission.Policies.Model;
using k8s;

namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>The change record for auditors: emitted once when an approved change is applied, and outliving the ChangeApproval.</summary>
public sealed class AuditRecordTests : IAsyncLifetime
{
    private ClusterHarness _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterHarness.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task An_applied_change_leaves_a_record_in_the_log_an_event_and_the_object_that_survives_its_deletion()
    {
        var admission = await _cluster.StartAdmissionAsync();
        Assert.True((await _cluster.CreateApprovalAsync("carol", "audited")).Ok);
        Assert.True((await _cluster.ApproveAsync("alice", "audited")).Ok);
        Assert.True((await _cluster.ApproveAsync("bob", "audited")).Ok);
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
        await _cluster.Client("admin").CustomObjects.DeleteNamespacedCustomObjectAsync(ChangeApproval.Group, ChangeApproval.Version, ClusterHarness.Ns, ChangeApproval.Plural, "audited");
        Assert.Null(_cluster.Approval("audited"));
        var events = await _cluster.Client("admin").CoreV1.ListNamespacedEventAsync(ClusterHarness.Ns);
        Assert.Contains(events.Items, e => e.Reason == "ChangeApplied" && e.InvolvedObject.Uid == uid);
        Assert.Single(admission.Output, l => l.Contains("change record {", StringComparison.Ordinal));
    }
}
