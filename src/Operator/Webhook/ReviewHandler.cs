using System.Diagnostics;
using Admission.Operator.Observability;
using Admission.Operator.PolicyReload;
using Admission.Operator.State;
using Admission.Policies;

namespace Admission.Operator.Webhook;

/// <summary>Decides one review against the current state. The HTTP layer only decodes and encodes.</summary>
/// <param name="decisions">The decision audit log; null writes none (handler tests and benchmarks).</param>
/// <param name="access">SubjectAccessReviews for <c>approverVerb</c>; null in local mode, where groups alone decide.</param>
/// <param name="policies">The policy in force, swapped whole on a reload; each review reads it once.</param>
/// <param name="breakGlass">Where break-glass admissions go to have their retrospective ChangeApproval opened; null opens none.</param>
/// <param name="operatorIdentity">The operator's own username, the one user that may open a retrospective ChangeApproval for someone else.</param>
public sealed partial class ReviewHandler(PolicySource policies, IApprovalState state, TimeProvider clock, ILogger<ReviewHandler> logger,
    DecisionLog? decisions = null, Access.IAccessReviewer? access = null,
    BreakGlass.IBreakGlassLedger? breakGlass = null, BreakGlass.OperatorIdentity? operatorIdentity = null)
{
    /// <summary>A handler whose policy never changes (tests, benchmarks, the fuzz harness).</summary>
    public ReviewHandler(AdmissionPolicy policy, IApprovalState state, TimeProvider clock, ILogger<ReviewHandler> logger,
        DecisionLog? decisions = null, Access.IAccessReviewer? access = null,
        BreakGlass.IBreakGlassLedger? breakGlass = null, BreakGlass.OperatorIdentity? operatorIdentity = null)
        : this(new PolicySource(policy), state, clock, logger, decisions, access, breakGlass, operatorIdentity)
    {
    }

    /// <summary>The policy in force now. A caller that translates with it passes the same one to <see cref="HandleAsync(string, AdmissionInput, AdmissionPolicy, CancellationToken)"/>.</summary>
    public AdmissionPolicy Policy => policies.Current.Policy;

    /// <summary>Translates and decides; a request that cannot be translated is answered as an errored review (400).</summary>
    public ValueTask<AdmissionReview> HandleAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        var policy = Policy;
        var (input, problem) = ReviewTranslator.ToInput(request, policy);
        if (input is null)
        {
            AdmissionMetrics.Decision(false, DecisionCode.Denied).Inc();
            return ValueTask.FromResult(ReviewResponses.Errored(request.Uid!, 400, problem!));
        }
        return HandleAsync(request.Uid!, input, policy, cancellationToken);
    }

    public ValueTask<AdmissionReview> HandleAsync(string uid, AdmissionInput input, CancellationToken cancellationToken) =>
        HandleAsync(uid, input, Policy, cancellationToken);

    /// <summary>Decides with <paramref name="policy"/> throughout, even when a reload swaps another in meanwhile.</summary>
    public async ValueTask<AdmissionReview> HandleAsync(string uid, AdmissionInput input, AdmissionPolicy policy, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        // Whatever is logged while this review is decided (a live read failing, an access review,
        // break glass) carries its uid, as controller-runtime's request logger does; the uid is what
        // kube-apiserver's audit log and the decision log line share.
        using var scope = ReviewScope(logger, uid);

        // Asked before deciding, and only for a ChangeApproval entry being added while approverVerb is set.
        var approverVerb = access is not null && ChangeApprovalRules.NeedsApproverVerb(input, policy)
            ? await access.CanAsync(input.User, policy.ApproverVerb, input.Namespace, cancellationToken).ConfigureAwait(false)
            : null;
        // Read before the snapshot: a state that becomes verifiable between the two reads (local
        // mode's files indexed just then) must not vouch for the empty snapshot taken before it.
        var verifiable = state.CanVerify;
        var snapshot = state.Snapshot;
        var decision = Decide(input, policy, snapshot, approverVerb);
        if (AdmissionEngine.IsWorkload(input, policy) && NeedsFresherLook(decision, input, snapshot))
        {
            // A denial is the expensive mistake: look once more, so an approval made a moment ago counts.
            // So is an admission the state cannot back: a namespace not known yet, state out of touch,
            // or an approval that may have been withdrawn or deleted since the cache last heard.
            var fresher = await state.FreshenAsync(input.Namespace, cancellationToken).ConfigureAwait(false);
            if (fresher is not null)
            {
                decision = Decide(input, policy, fresher, approverVerb);
            }
            else if (!(verifiable && state.CanVerify) && DependsOnState(decision))
            {
                decision = Decision.Deny(
                    $"approvals cannot be verified right now (the webhook is not in touch with {state.SourceName}), so {input.Kind} {input.Namespace}/{input.Name} cannot be admitted. " +
                    "Retry shortly; if this persists, ask the platform team to check the admission webhook." +
                    (decision.Allowed ? "" : "\n" + decision.Message));
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        AdmissionMetrics.Decision(decision.Allowed, decision.Code).Inc();
        decisions?.Write(new DecisionRecord(uid, input.User.Username, input.Operation.ToWire(), Describe(input), input.Namespace, input.Name,
            decision.Code.ToWire(), decision.Approval ?? "",
            decision.Digest,
            input.DryRun, elapsed.TotalMilliseconds));
        if (decision.Code == DecisionCode.BreakGlass)
        {
            LogBreakGlass(logger, uid, input.User.Username, input.Namespace, input.Name, decision.Message);
            // A dry run stores nothing, so it leaves no debt.
            if (!input.DryRun && breakGlass is not null && policy.GuardedResource(input.Group, input.Resource) is { } kind)
            {
                breakGlass.Record(new BreakGlass.BreakGlassAdmission(uid, input.User.Username, clock.GetUtcNow(), input.Namespace,
                    kind.Group, kind.Kind, input.Name, input.Operation, input.SubResource,
                    WorkloadRules.BreakGlassReason(input), decision.Digest, decision.Base));
            }
        }
        return ReviewResponses.From(uid, decision);
    }

    private Decision Decide(AdmissionInput input, AdmissionPolicy policy, DecisionSnapshot snapshot, AccessAnswer? approverVerb) =>
        AdmissionEngine.Decide(input, new DecisionContext(policy, snapshot.Approvals, snapshot.Namespaces, clock.GetUtcNow())
        {
            ApproverVerb = approverVerb,
            OperatorUser = operatorIdentity?.Username,
        });

    private bool NeedsFresherLook(Decision decision, AdmissionInput input, DecisionSnapshot snapshot) =>
        !decision.Allowed ||
        (decision.Code == DecisionCode.NotGuarded && (snapshot.Namespaces.Labels(input.Namespace) is null || !state.CanVerify)) ||
        // Approved changes are rare (two people acted) and must never rest on a withdrawn approval.
        decision.Code == DecisionCode.Approved;

    /// <summary>Whether the decision rests on approvals or namespace labels (exempt, no-approval-needed and break-glass do not).</summary>
    private static bool DependsOnState(Decision decision) =>
        !decision.Allowed || decision.Code is DecisionCode.NotGuarded or DecisionCode.Approved;

    /// <summary>
    /// The resource as the log names it ("deployments.apps/scale"), built once per thread for the
    /// resource it last saw rather than concatenated for every review: most are of a few resources.
    /// </summary>
    private static string Describe(AdmissionInput input)
    {
        var last = t_described;
        if (last is not null && last.Resource == input.Resource && last.Group == input.Group && last.SubResource == input.SubResource)
        {
            return last.Text;
        }
        var text = AdmissionEngine.Describe(input);
        t_described = new Described(input.Group, input.Resource, input.SubResource, text);
        return text;
    }

    private sealed record Described(string Group, string Resource, string? SubResource, string Text);

    [ThreadStatic] private static Described? t_described;

    private static readonly Func<ILogger, string, IDisposable?> ReviewScope = LoggerMessage.DefineScope<string>("review uid={Uid}");

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "break-glass uid={Uid} user={User} object={Namespace}/{Name}: {Detail}")]
    private static partial void LogBreakGlass(ILogger logger, string uid, string user, string @namespace, string name, string detail);
}
