using Admission.Operator.State;
using Admission.Policies;

namespace Admission.Fuzz.Harness;

/// <summary>Approval state that never changes: one snapshot, always ready, nothing to freshen (the fuzz harness and the webhook's property tests).</summary>
internal sealed class FixedState(DecisionSnapshot snapshot) : IApprovalState
{
    public DecisionSnapshot Snapshot => snapshot;
    public Readiness Readiness => new(true, "fixed");
    public bool CanVerify => true;
    public ValueTask<DecisionSnapshot?> FreshenAsync(string ns, CancellationToken cancellationToken) => ValueTask.FromResult<DecisionSnapshot?>(null);
}

/// <summary>A clock stopped at one time, so every decision of a run is made as of the same instant.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
