namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// A line logged while a review is decided, by any component (here the approval state on its live
/// read), carries the review's uid in its scope; a line logged after the review does not.
/// </summary>
public sealed class ReviewLogScopeTests
{
    private const string Uid = "0f0e7c1a-6a8e-4f59-b1d2-5c3e9a7d2b10";

    [Fact]
    public async Task Lines_written_while_deciding_carry_the_review_uid_and_later_lines_do_not()
    {
        var lines = new CapturingProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(lines));
        var state = new LoggingState(factory.CreateLogger("state"));
        var handler = new ReviewHandler(AdmissionPolicy.Default, state, TimeProvider.System, factory.CreateLogger<ReviewHandler>());

        var review = await handler.HandleAsync(Requests.CheckoutUpdate(Uid), CancellationToken.None);
        factory.CreateLogger("after").LogInformation("after the review");

        Assert.False(review.Response!.Allowed); // denied, so the state was asked to look again, and logged
        var during = Assert.Single(lines.Entries, e => e.Message == "live read failed");
        Assert.Contains($"review uid={Uid}", during.Scopes);
        var after = Assert.Single(lines.Entries, e => e.Message == "after the review");
        Assert.DoesNotContain(after.Scopes, s => s.Contains(Uid, StringComparison.Ordinal));
    }

    /// <summary>A Tier-1 namespace with no approvals, whose live read fails and says so in the log.</summary>
    private sealed class LoggingState(ILogger logger) : IApprovalState
    {
        public DecisionSnapshot Snapshot { get; } = new(new ApprovalIndex([]), new NamespaceIndex([KeyValuePair.Create("payments",
            (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { [AdmissionPolicy.TierLabel] = "1" })]));
        public Readiness Readiness => new(true, "test");
        public bool CanVerify => true;

        public ValueTask<DecisionSnapshot?> FreshenAsync(string ns, CancellationToken cancellationToken)
        {
            logger.LogWarning("live read failed");
            return ValueTask.FromResult<DecisionSnapshot?>(null);
        }
    }

    private sealed record Entry(string Message, List<string> Scopes);

    private sealed class CapturingProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();
        public List<Entry> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Capturing(this);
        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;
        public void Dispose() { }

        private sealed class Capturing(CapturingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);
            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scopes = new List<string>();
                owner._scopes.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? ""), scopes);
                lock (owner.Entries) owner.Entries.Add(new Entry(formatter(state, exception), scopes));
            }
        }
    }
}
