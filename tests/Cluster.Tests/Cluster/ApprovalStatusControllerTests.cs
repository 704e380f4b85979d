namespace Admission.Cluster.Tests;

public sealed class ApprovalStatusControllerTests : IDisposable
{
    private const string Key = "payments/checkout-1";
    private readonly FakeTimeProvider _clock = new(Objects.T0);
    private readonly FakeApprovalObjects _cache = new();
    private readonly FakeStatusClient _server;
    private readonly CancellationTokenSource _stop = new();

    public ApprovalStatusControllerTests() => _server = new FakeStatusClient(_cache, "a");

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private ApprovalStatusController Controller(FakeStatusClient? client = null) =>
        new(_cache, client ?? _server, AdmissionPolicy.Default, _clock, NullLogger<ApprovalStatusController>.Instance);

    private Task Run(ApprovalStatusController controller) => Task.Run(() => controller.RunAsync(_stop.Token));

    /// <summary>A controller run on <paramref name="approval"/>, once it has written <paramref name="phase"/> and set the approval's requeue for <paramref name="requeueAt"/>.</summary>
    private async Task<ApprovalStatusController> RunUntilRequeued(JsonElement approval, string phase, DateTimeOffset requeueAt, string requeueFor)
    {
        _server.Store(approval);
        var controller = Controller();
        _ = Run(controller);
        await Eventually.True(() => _server.Phase(Key) == phase, "status " + phase);
        await Requeued(controller, requeueAt, requeueFor);
        return controller;
    }

    private static Task Requeued(ApprovalStatusController controller, DateTimeOffset at, string requeueFor) =>
        Eventually.True(() => controller.Timer?.Pending.GetValueOrDefault(Key) == at, "requeue at " + requeueFor);

    [Fact]
    public async Task Pending_then_Approved_with_one_event()
    {
        _server.Store(Objects.Approval(approvers: [], rv: "1"));
        _ = Run(Controller());
        await Eventually.True(() => _server.Phase(Key) == "Pending", "status Pending");

        _server.Store(Objects.WithStatus(Objects.Approval(approvers: ["alice"], rv: "2", generation: 2), StatusOf(Key)));
        await Eventually.True(() => _server.Writes.Count == 2, "second write");
        Assert.Equal("Pending", _server.Phase(Key));

        _server.Store(Objects.WithStatus(Objects.Approval(approvers: ["alice", "bob"], rv: "3", generation: 3), StatusOf(Key)));
        await Eventually.True(() => _server.Phase(Key) == "Approved", "status Approved");
        await Eventually.True(() => !_server.Events.IsEmpty, "an event");
        Assert.Equal([("a", Key, "Pending"), ("a", Key, "Pending"), ("a", Key, "Approved")], _server.Writes);
        var ev = Assert.Single(_server.Events);
        Assert.Equal(("Approved", Key), (ev.Reason, ev.Key));
        Assert.Contains("2 of 2 approvals (alice, bob)", ev.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_nothing_when_the_status_is_already_right()
    {
        _server.Store(Objects.Approval(approvers: ["alice", "bob"]));
        _ = Run(Controller());
        await Eventually.True(() => _server.Phase(Key) == "Approved", "status Approved");
        var current = _cache.Find(Key)!.Raw;
        for (var i = 0; i < 5; i++) _cache.Put(current);
        await Eventually.Stays(() => _server.Writes.Count == 1, "no second status write for an unchanged approval");
        Assert.Single(_server.Writes);
        Assert.Single(_server.Events);
    }

    [Fact]
    public async Task Flips_to_Expired_at_expiresAt()
    {
        var controller = await RunUntilRequeued(Objects.Approval(approvers: ["alice", "bob"], expiresAt: Objects.T0.AddHours(1)),
            "Approved", Objects.T0.AddHours(1), "expiresAt");

        _clock.Advance(TimeSpan.FromMinutes(59));
        await Eventually.Stays(() => _server.Phase(Key) == "Approved", "still Approved a minute before expiresAt");

        _clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.True(() => _server.Phase(Key) == "Expired", "status Expired");
        await Eventually.True(() => _server.Events.Count == 2, "two events");
        Assert.Equal(["Approved", "Expired"], _server.Events.Select(e => e.Reason));
        Assert.Empty(controller.Timer!.Pending);
    }

    [Fact]
    public async Task Flips_to_Approved_at_notBefore()
    {
        var controller = await RunUntilRequeued(Objects.Approval(approvers: ["alice", "bob"], notBefore: Objects.T0.AddMinutes(30)),
            "Pending", Objects.T0.AddMinutes(30), "notBefore"); // not yet valid
        _clock.Advance(TimeSpan.FromMinutes(30));
        await Eventually.True(() => _server.Phase(Key) == "Approved", "status Approved");
        await Requeued(controller, Objects.T0.AddHours(8), "expiresAt");
    }

    [Fact]
    public async Task A_conflict_is_retried_from_a_fresh_read()
    {
        _server.Store(Objects.Approval(approvers: ["alice"], rv: "1"));
        // bob approved; the server has it, the cache not yet.
        _server.StoreServerOnly(Objects.Approval(approvers: ["alice", "bob"], rv: "2", generation: 2));
        _ = Run(Controller());
        await Eventually.True(() => _server.Phase(Key) == "Approved", "status Approved after the conflict");
        Assert.Equal(1, _server.Conflicts);
        Assert.Equal([("a", Key, "Approved")], _server.Writes);
        Assert.Single(_server.Events);
    }

    [Fact]
    public async Task Does_not_write_twice_while_the_cache_lags_behind_its_own_write()
    {
        _server.CacheLags = true;
        _server.Store(Objects.Approval(approvers: ["alice", "bob"]));
        _ = Run(Controller());
        await Eventually.True(() => _server.Writes.Count == 1, "one write");
        _cache.Put(_cache.Find(Key)!.Raw); // the cache repeats the old version
        await Eventually.Stays(() => _server.Writes.Count == 1, "no write from a stale cache version");
        Assert.Equal(0, _server.Conflicts);
    }

    [Fact]
    public async Task A_deleted_approval_is_forgotten()
    {
        _server.Store(Objects.Approval(approvers: ["alice", "bob"], expiresAt: Objects.T0.AddHours(1)));
        var controller = Controller();
        _ = Run(controller);
        await Eventually.True(() => controller.Timer?.Pending.ContainsKey(Key) == true, "requeue scheduled");
        _cache.Remove(Key);
        await Eventually.True(() => controller.Timer?.Pending.ContainsKey(Key) == false, "requeue cancelled");
    }

    [Fact]
    public async Task Only_the_leader_writes_and_a_new_leader_takes_over()
    {
        var electionA = new FakeLeaderElection("a");
        var electionB = new FakeLeaderElection("b");
        var clientB = _server.Sharing("b");
        using var serviceA = new LeaderService(electionA, [Controller()]);
        using var serviceB = new LeaderService(electionB, [Controller(clientB)]);
        await serviceA.StartAsync(_stop.Token);
        await serviceB.StartAsync(_stop.Token);

        _server.Store(Objects.Approval(approvers: ["alice"], rv: "1"));
        await Eventually.Stays(() => _server.Writes.IsEmpty, "no status write while nobody leads");

        electionA.Grant();
        await Eventually.True(() => _server.Phase(Key) == "Pending", "a writes Pending");

        electionA.Revoke();
        await Eventually.True(() => !electionA.Leading, "a stepped down");
        _server.Store(Objects.WithStatus(Objects.Approval(approvers: ["alice", "bob"], rv: "5", generation: 2), StatusOf(Key)));
        // a no longer writes, b does not lead yet
        await Eventually.Stays(() => _server.Phase(Key) == "Pending", "Pending while nobody leads");

        electionB.Grant();
        await Eventually.True(() => _server.Phase(Key) == "Approved", "b writes Approved");
        Assert.Equal([("a", Key, "Pending"), ("b", Key, "Approved")], _server.Writes);
        Assert.Equal([("b", "Approved")], _server.Events.Select(e => (e.Who, e.Reason)));

        await serviceA.StopAsync(CancellationToken.None);
        await serviceB.StopAsync(CancellationToken.None);
    }

    private System.Text.Json.Nodes.JsonObject StatusOf(string key) =>
        System.Text.Json.Nodes.JsonNode.Parse(_cache.Find(key)!.Status!.Value.GetRawText())!.AsObject();
}
