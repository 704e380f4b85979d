using Admission.Operator.BreakGlass;

namespace Admission.Cluster.Tests.Cluster;

/// <summary>
/// The retrospective ChangeApproval of a break-glass admission: its shape, one per admission
/// whoever writes it and however often, and written in the end when the API server fails at first.
/// </summary>
public class RetrospectiveOpenerTests
{
    private const string DigestA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string DigestB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private static readonly DateTimeOffset At = new(2026, 3, 6, 3, 14, 0, TimeSpan.Zero);

    private static BreakGlassAdmission Admission(string uid = "0b6f0c1e-4a4c-4f7e-9d7e-1c2f3a4b5c6d", Operation op = Operation.Update,
        string? subresource = null, string? digest = DigestA, string? @base = DigestB) =>
        new(uid, "erin", At, "payments", "apps", "Deployment", "checkout", op, subresource, "INC-4500: checkout down", digest, @base);

    /// <summary>Names each object once, like the API server: a second create of a name is AlreadyExists.</summary>
    private sealed class Creator(int failures = 0) : IApprovalCreator
    {
        private int _failures = failures;
        public ConcurrentDictionary<string, JsonObject> Stored { get; } = new(StringComparer.Ordinal);
        public int Calls;

        public Task<CachedApproval?> CreateAsync(JsonObject approval, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            if (Interlocked.Decrement(ref _failures) >= 0) throw new HttpRequestException("500 Internal Server Error");
            var name = approval["metadata"]!["name"]!.ToString();
            if (!Stored.TryAdd(name, approval)) return Task.FromResult<CachedApproval?>(null);
            return Task.FromResult(CachedApproval.From(System.Text.Json.JsonSerializer.SerializeToElement(approval)));
        }
    }

    private static RetrospectiveOpener Opener(Creator creator, FakeStatusClient events) =>
        new(creator, events, AdmissionPolicy.Default, TimeProvider.System, NullLoggerFactory.Instance,
            new ClusterTimings { BackoffInitial = TimeSpan.FromMilliseconds(5), BackoffMax = TimeSpan.FromMilliseconds(20) });

    [Fact]
    public void The_approval_names_the_break_glass_user_binds_the_change_and_is_marked()
    {
        var a = Admission();
        var obj = RetrospectiveApproval.Build(a, RetrospectiveApproval.Record(a, At), TimeSpan.FromHours(167));
        var errors = new List<InputError>();
        var model = ChangeApprovalReader.Read(System.Text.Json.JsonSerializer.SerializeToElement(obj), errors, "test");

        Assert.Empty(errors);
        Assert.NotNull(model);
        Assert.True(model.Retrospective);
        Assert.Equal("erin", model.RequestedBy);
        Assert.Equal(new ApprovalTarget("apps", "Deployment", "checkout"), model.Target);
        Assert.Equal([Operation.Update], model.Operations);
        Assert.Equal(new ApprovedChange(DigestA, DigestB, null), model.Change! with { Manifest = null });
        Assert.Empty(model.Approvals);
        Assert.Equal(At.AddHours(167), model.ExpiresAt);
        Assert.Contains("INC-4500: checkout down", model.Reason, StringComparison.Ordinal);
        Assert.Equal(a.Uid, obj["metadata"]!["annotations"]![RetrospectiveApproval.AdmissionUidAnnotation]!.ToString());
        var record = JsonNode.Parse(obj["metadata"]!["annotations"]![global::Admission.Operator.Audit.ChangeRecord.Annotation]!.ToString())!;
        Assert.Equal("BreakGlassAdmitted", record["kind"]!.ToString());
        Assert.Equal(RetrospectiveApproval.NameFor(a), record["changeApproval"]!["name"]!.ToString());
        Assert.Equal(DigestA, record["change"]!["digest"]!.ToString());
    }

    public static TheoryData<string, string, string> Names => new()
    {
        // target name, uid, expected name
        { "checkout", "uid-1", "break-glass-checkout-" },
        { "A.Very_Odd.Name", "uid-1", "break-glass-a-very-odd-name-" },
        { new string('x', 80), "uid-1", "break-glass-" + new string('x', 30) + "-" },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void The_name_is_a_dns_label_from_the_target_and_the_admission_uid(string target, string uid, string prefix)
    {
        var name = RetrospectiveApproval.NameFor(Admission(uid) with { Name = target });
        Assert.StartsWith(prefix, name, StringComparison.Ordinal);
        Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name);
        Assert.True(name.Length <= 63, name);
        Assert.Equal(name, RetrospectiveApproval.NameFor(Admission(uid) with { Name = target }));
        Assert.NotEqual(name, RetrospectiveApproval.NameFor(Admission(uid + "x") with { Name = target }));
    }

    [Fact]
    public void An_exec_session_is_reviewed_without_a_change_binding()
    {
        var a = Admission(op: Operation.Connect, subresource: "exec", digest: null, @base: null) with { Kind = "Pod", Group = "", Reason = null };
        var obj = RetrospectiveApproval.Build(a, RetrospectiveApproval.Record(a, At), TimeSpan.FromHours(1));
        Assert.Null(obj["spec"]!["change"]);
        Assert.Equal("UPDATE", obj["spec"]!["operations"]![0]!.ToString());
        Assert.Contains("exec session on Pod payments/checkout", obj["spec"]!["reason"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failures_are_retried_until_the_api_server_has_it_and_a_second_writer_opens_none()
    {
        var creator = new Creator(failures: 3);
        var events = new FakeStatusClient(new FakeApprovalObjects());
        await Opener(creator, events).OpenAsync(Admission(), CancellationToken.None);

        Assert.Equal(4, creator.Calls);
        var stored = Assert.Single(creator.Stored);
        Assert.Equal(RetrospectiveApproval.NameFor(Admission()), stored.Key);
        Assert.Single(events.Events, e => e.Reason == "BreakGlassAdmitted");

        // Another replica (or a retry after a lost answer) writing the same admission: nothing new.
        await Opener(creator, events).OpenAsync(Admission(), CancellationToken.None);
        Assert.Single(creator.Stored);
        Assert.Single(events.Events, e => e.Reason == "BreakGlassAdmitted");

        // Another admission is another debt.
        await Opener(creator, events).OpenAsync(Admission("another-uid"), CancellationToken.None);
        Assert.Equal(2, creator.Stored.Count);
    }
}
