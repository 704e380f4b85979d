namespace Admission.Cluster.Tests;

/// <summary>The workloads the fake API server stores, read by the status operator; counts reads so a test can wait for one.</summary>
internal sealed class FakeTargetReader : ITargetReader
{
    private readonly ConcurrentDictionary<string, JsonElement> _objects = new(StringComparer.Ordinal);
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public Exception? Failure { get; set; }

    public void Put(string ns, string kind, string name, JsonElement obj) => _objects[$"{ns}/{kind}/{name}"] = obj;

    public Task<JsonElement?> GetAsync(string ns, ApprovalTarget target, string version, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        if (Failure is { } e) throw e;
        return Task.FromResult<JsonElement?>(_objects.TryGetValue($"{ns}/{target.Kind}/{target.Name}", out var obj) ? obj : null);
    }
}

public sealed class ApprovalAppliedTests : IDisposable
{
    private const string Key = "payments/checkout-1";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _clock = new(Objects.T0);
    private readonly FakeApprovalObjects _cache = new();
    private readonly FakeStatusClient _server;
    private readonly FakeTargetReader _targets = new();
    private readonly CancellationTokenSource _stop = new();

    public ApprovalAppliedTests() => _server = new FakeStatusClient(_cache, "a");

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    internal static JsonElement Deployment(string image, int replicas = 3, string resourceVersion = "7") => Objects.Element(new JsonObject
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = "checkout", ["namespace"] = "payments", ["resourceVersion"] = resourceVersion },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["template"] = new JsonObject
            {
                ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = image }) },
            },
        },
        ["status"] = new JsonObject { ["observedGeneration"] = 4 },
    });

    private static readonly string ApprovedDigest = ChangeDigest.Of(Deployment("checkout:2.4.1"), AdmissionPolicy.Default);

    private static JsonElement ExactApproval(string[] approvers, string[]? operations = null, DateTimeOffset? expiresAt = null, string rv = "1")
    {
        var node = Objects.ApprovalNode(approvers: approvers, expiresAt: expiresAt, rv: rv);
        node["spec"]!["change"] = new JsonObject { ["digest"] = ApprovedDigest, ["base"] = ChangeDigest.Of(Deployment("checkout:2.4.0"), AdmissionPolicy.Default) };
        if (operations is not null) node["spec"]!["operations"] = new JsonArray([.. operations.Select(o => (JsonNode)o)]);
        return Objects.Element(node);
    }

    private ApprovalStatusController Controller() =>
        new(_cache, _server, AdmissionPolicy.Default, _clock, NullLogger<ApprovalStatusController>.Instance, _targets,
            new ClusterTimings { AppliedCheckInterval = Interval });

    private Task Run(ApprovalStatusController controller) => Task.Run(() => controller.RunAsync(_stop.Token));

    /// <summary>Moves the clock to the next target check and waits until the operator has read the target again.</summary>
    private async Task NextCheck(ApprovalStatusController controller)
    {
        var reads = _targets.Reads;
        await Eventually.True(() => controller.Timer?.Pending.ContainsKey(Key) == true, "a target check scheduled");
        _clock.Advance(Interval);
        await Eventually.True(() => _targets.Reads > reads, "the target read again");
    }

    private JsonElement? StoredStatus() => _cache.Find(Key)?.Status;

    [Fact]
    public async Task Goes_Applied_when_the_approved_object_is_stored_and_not_for_a_different_one()
    {
        _targets.Put("payments", "Deployment", "checkout", Deployment("checkout:2.4.0"));
        _server.Store(ExactApproval(["alice", "bob"]));
        var controller = Controller();
        _ = Run(controller);
        await Eventually.True(() => _server.Phase(Key) == "Approved", "status Approved");
        Assert.Equal(Objects.T0 + Interval, controller.Timer!.Pending[Key]);

        // One more environment variable than approved: another digest, not Applied.
        _targets.Put("payments", "Deployment", "checkout", Objects.Element(AddEnv(Deployment("checkout:2.4.1"))));
        await NextCheck(controller);
        Assert.Equal("Approved", _server.Phase(Key));

        // The approved object, with other replicas, metadata and status (not content): Applied.
        _targets.Put("payments", "Deployment", "checkout", Deployment("checkout:2.4.1", replicas: 5, resourceVersion: "9"));
        await NextCheck(controller);
        await Eventually.True(() => _server.Phase(Key) == "Applied", "status Applied");
        var status = StoredStatus()!.Value;
        Assert.Equal(WrittenStatus.Time(Objects.T0 + Interval + Interval), status.GetProperty("appliedAt").GetString());
        var applied = status.GetProperty("conditions").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "Applied");
        Assert.Equal("True", applied.GetProperty("status").GetString());
        Assert.Equal(["Approved", "Applied"], _server.Events.Select(e => e.Reason));
        Assert.Contains(ApprovedDigest, _server.Events.Last().Message, StringComparison.Ordinal);
        // Applied: no more target reads are scheduled before expiry.
        await Eventually.True(() => controller.Timer!.Pending.GetValueOrDefault(Key) == Objects.T0.AddHours(8), "next wake at expiresAt only");
    }

    [Fact]
    public async Task Applied_outlives_the_window_with_no_Expired_event()
    {
        _targets.Put("payments", "Deployment", "checkout", Deployment("checkout:2.4.1"));
        _server.Store(ExactApproval(["alice", "bob"], expiresAt: Objects.T0.AddMinutes(30)));
        var controller = Controller();
        _ = Run(controller);
        await Eventually.True(() => _server.Phase(Key) == "Applied", "status Applied");
        _clock.Advance(TimeSpan.FromMinutes(30));
        await Eventually.True(() => controller.Timer?.Pending.ContainsKey(Key) == false && _server.Writes.Count == 2, "the expiry written");
        Assert.Equal("Applied", _server.Phase(Key));
        Assert.Equal([WrittenStatus.Applied, WrittenStatus.Applied], _server.Writes.Select(w => w.Phase));
        Assert.Equal(["Applied"], _server.Events.Select(e => e.Reason));
    }

    [Theory]
    [MemberData(nameof(NeverApplied))]
    public async Task Is_not_Applied_while_it_does_not_admit_the_change(string what, string[] approvers, string[]? operations, string phase)
    {
        _targets.Put("payments", "Deployment", "checkout", Deployment("checkout:2.4.1"));
        _server.Store(ExactApproval(approvers, operations));
        var controller = Controller();
        _ = Run(controller);
        await Eventually.True(() => _server.Phase(Key) is not null, what + ": a status");
        await Eventually.True(() => controller.Timer?.Pending.ContainsKey(Key) == true, what + ": next wake scheduled");
        Assert.Equal(phase, _server.Phase(Key));
        Assert.Equal(0, _targets.Reads);
    }

    public static TheoryData<string, string[], string[]?, string> NeverApplied => new()
    {
        { "one approval of two", ["alice"], null, "Pending" },
        { "DELETE only: nothing to see", ["alice", "bob"], ["DELETE"], "Approved" },
    };

    [Fact]
    public async Task A_failed_read_is_retried_at_the_next_check()
    {
        _targets.Put("payments", "Deployment", "checkout", Deployment("checkout:2.4.1"));
        _targets.Failure = new HttpRequestException("connection refused");
        _server.Store(ExactApproval(["alice", "bob"]));
        var controller = Controller();
        _ = Run(controller);
        await Eventually.True(() => _server.Phase(Key) == "Approved" && _targets.Reads >= 1, "Approved, target read failed");
        _targets.Failure = null;
        await NextCheck(controller);
        await Eventually.True(() => _server.Phase(Key) == "Applied", "status Applied");
    }

    [Fact]
    public async Task The_transition_hook_sees_each_phase_change_once()
    {
        _targets.Put("payments", "Deployment", "checkout", Deployment("checkout:2.4.0"));
        _server.Store(ExactApproval(["alice"]));
        var controller = Controller();
        var changes = new ConcurrentQueue<(string? From, string To)>();
        controller.PhaseChanged += (_, from, to) => changes.Enqueue((from, to.Phase));
        _ = Run(controller);
        await Eventually.True(() => _server.Phase(Key) == "Pending", "status Pending");
        _server.Store(Objects.WithStatus(ExactApproval(["alice", "bob"], rv: "2"), JsonNode.Parse(StoredStatus()!.Value.GetRawText())!.AsObject()));
        await Eventually.True(() => _server.Phase(Key) == "Approved", "status Approved");
        _targets.Put("payments", "Deployment", "checkout", Deployment("checkout:2.4.1"));
        await NextCheck(controller);
        await Eventually.True(() => _server.Phase(Key) == "Applied", "status Applied");
        Assert.Equal([("Pending", "Approved"), ("Approved", "Applied")], changes);
        Assert.Equal(["Approved", "Applied"], _server.Events.Select(e => e.Reason));
    }

    [Fact]
    public async Task Each_phase_change_has_one_event_Rejected_and_back_to_Pending_too()
    {
        var controller = Controller();
        _ = Run(controller);
        _server.Store(ExactApproval(["alice"]));
        await Eventually.True(() => _server.Phase(Key) == "Pending", "status Pending");

        var rejected = Objects.ApprovalNode(approvers: ["alice"], rv: "2");
        rejected["spec"]!["approvals"]!.AsArray().Add(new JsonObject { ["approver"] = "dave", ["approvedAt"] = WrittenStatus.Time(Objects.T0), ["decision"] = "Reject", ["comment"] = "freeze" });
        _server.Store(Objects.WithStatus(Objects.Element(rejected), JsonNode.Parse(StoredStatus()!.Value.GetRawText())!.AsObject()));
        await Eventually.True(() => _server.Phase(Key) == "Rejected", "status Rejected");

        // dave withdraws his Reject: Pending again, and that is a phase change too.
        _server.Store(Objects.WithStatus(Objects.Approval(approvers: ["alice"], rv: "3"), JsonNode.Parse(StoredStatus()!.Value.GetRawText())!.AsObject()));
        await Eventually.True(() => _server.Phase(Key) == "Pending" && _server.Events.Count == 2, "Pending again, with its event");
        Assert.Equal(["Rejected", "Pending"], _server.Events.Select(e => e.Reason));
        Assert.Contains("dave: \"freeze\"", _server.Events.First().Message, StringComparison.Ordinal);
    }

    /// <summary>Applied is sticky (contract section 1): once recorded, nothing later changes the phase.</summary>
    public static TheoryData<string, string[], int, string?, bool, string> AppliedRows => new()
    {
        { "approved, not seen: Approved", ["alice", "bob"], 0, null, false, "Approved" },
        { "approved, seen now: Applied", ["alice", "bob"], 0, null, true, "Applied" },
        { "recorded, then expired: still Applied", ["alice", "bob"], 9, "2026-03-06T10:05:00Z", false, "Applied" },
        { "recorded, then an approval withdrawn: still Applied", ["alice"], 0, "2026-03-06T10:05:00Z", false, "Applied" },
        { "not recorded, expired: Expired", ["alice", "bob"], 9, null, false, "Expired" },
    };

    [Theory]
    [MemberData(nameof(AppliedRows))]
    public void Applied_phase(string what, string[] approvers, int hoursLater, string? recorded, bool seenNow, string phase)
    {
        var node = Objects.ApprovalNode(approvers: approvers);
        if (recorded is not null) node["status"] = new JsonObject
        {
            ["phase"] = "Applied", ["appliedAt"] = recorded,
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Approved", ["status"] = "True", ["reason"] = "Approved", ["message"] = "", ["lastTransitionTime"] = recorded }),
        };
        var now = Objects.T0.AddHours(hoursLater);
        var status = WrittenStatus.Compute(Objects.Cached(Objects.Element(node)), AdmissionPolicy.Default, now, seenNow ? now : null);
        Assert.True(phase == status.Phase, $"{what}: {status.Phase}");
        Assert.Equal(phase == "Applied", status.ToJson()["appliedAt"] is not null);
        if (recorded is not null) Assert.Equal(recorded, status.ToJson()["appliedAt"]!.ToString());
    }

    private static JsonNode AddEnv(JsonElement deployment)
    {
        var node = JsonNode.Parse(deployment.GetRawText())!;
        node["spec"]!["template"]!["spec"]!["containers"]![0]!["env"] = new JsonArray(new JsonObject { ["name"] = "DEBUG", ["value"] = "1" });
        return node;
    }
}
