using Admission.Fuzz.Harness;

namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// What the handler does when its state and the API server may disagree: before a denial and
/// before an admission on an approval, it looks again, and the fresher view wins.
/// </summary>
public sealed class ReviewHandlerFreshnessTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly NamespaceIndex Payments = new([KeyValuePair.Create("payments",
        (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { [AdmissionPolicy.TierLabel] = "1" })]);

    private static ChangeApproval Approval(params string[] approvers) => new()
    {
        Namespace = "payments", Name = "checkout-change", Target = new ApprovalTarget("apps", "Deployment", "checkout"),
        Operations = [Operation.Create, Operation.Update], Reason = "r", RequestedBy = "carol", ExpiresAt = Now.AddHours(2),
        Approvals = [.. approvers.Select(a => new ApprovalEntry(a, Now, null))],
    };

    public static TheoryData<string, string[], string[]?, bool, string> Cases => new()
    {
        // name, cached approvers, fresh approvers (null: the live read fails), expected allowed, expected decision
        { "approved in cache, withdrawn since: denied", ["alice", "bob"], ["alice"], false, "denied" },
        { "approved in cache, deleted since: denied", ["alice", "bob"], [], false, "denied" },
        { "approved in cache and still approved: admitted", ["alice", "bob"], ["alice", "bob"], true, "approved" },
        { "approved in cache, live read fails: the cache (within staleness) decides", ["alice", "bob"], null, true, "approved" },
        { "denied in cache, approved a moment ago: admitted", ["alice"], ["alice", "bob"], true, "approved" },
        { "denied in cache, live read fails: denied", ["alice"], null, false, "denied" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_fresher_view_decides(string name, string[] cached, string[]? fresh, bool allowed, string decision)
    {
        var state = new TwoViews(
            new DecisionSnapshot(new ApprovalIndex([Approval(cached)]), Payments),
            fresh is null ? null : new DecisionSnapshot(new ApprovalIndex(fresh.Length == 0 ? [] : [Approval(fresh)]), Payments));
        var handler = new ReviewHandler(AdmissionPolicy.Default with { RequireExactChange = false }, state, new FixedClock(Now), NullLogger<ReviewHandler>.Instance);

        var review = await handler.HandleAsync(Requests.CheckoutUpdate(), CancellationToken.None);

        Assert.True(review.Response!.Allowed == allowed, name);
        Assert.Equal(decision, review.Response.AuditAnnotations!["decision"]);
        Assert.Equal(1, state.Freshened);
    }

    [Fact]
    public async Task A_snapshot_taken_before_the_state_could_verify_admits_nothing_that_rests_on_it()
    {
        // Local mode's first read finishing between the handler's reads: the snapshot it decides on
        // is the empty one from before, and the state says it can verify only afterwards.
        var state = new IndexedMeanwhile();
        var handler = new ReviewHandler(AdmissionPolicy.Default with { RequireExactChange = false }, state, new FixedClock(Now), NullLogger<ReviewHandler>.Instance);

        var review = await handler.HandleAsync(Requests.CheckoutUpdate(), CancellationToken.None);

        Assert.False(review.Response!.Allowed);
        Assert.Contains("approvals cannot be verified right now", review.Response.Status!.Message, StringComparison.Ordinal);
        Assert.True(state.CanVerify);
    }

    private sealed class IndexedMeanwhile : IApprovalState
    {
        private bool _read;
        public DecisionSnapshot Snapshot
        {
            get
            {
                _read = true;
                return DecisionSnapshot.Empty;
            }
        }
        public Readiness Readiness => new(_read, "test");
        public bool CanVerify => _read;
        public ValueTask<DecisionSnapshot?> FreshenAsync(string ns, CancellationToken cancellationToken) => ValueTask.FromResult<DecisionSnapshot?>(null);
    }

    private sealed class TwoViews(DecisionSnapshot cached, DecisionSnapshot? fresh) : IApprovalState
    {
        public int Freshened { get; private set; }
        public DecisionSnapshot Snapshot => cached;
        public Readiness Readiness => new(true, "test");
        public bool CanVerify => true;

        public ValueTask<DecisionSnapshot?> FreshenAsync(string ns, CancellationToken cancellationToken)
        {
            Freshened++;
            return ValueTask.FromResult(fresh);
        }
    }
}
