using Admission.Policies;

namespace Admission.Operator.BreakGlass;

/// <summary>
/// One break-glass admission, as the webhook saw it: the request's uid, who, when, what and the
/// exact change admitted. Its debt is a retrospective ChangeApproval (<see cref="RetrospectiveApproval"/>).
/// </summary>
/// <param name="Group">The workload's API group (the target's apiGroup).</param>
/// <param name="Kind">The workload's kind (for a scale request, the parent's, not Scale).</param>
/// <param name="Operation">CREATE, UPDATE or DELETE, or the session for exec, attach, port-forward and debug (CONNECT, or UPDATE of ephemeralcontainers).</param>
/// <param name="SubResource">exec, attach, portforward, ephemeralcontainers, scale, ...; null for the workload itself.</param>
/// <param name="Reason">The break-glass annotation's reason; null for an interactive session, which states none.</param>
/// <param name="Digest">The change digest admitted (contract 2.4); null when there is none (an exec session).</param>
/// <param name="Base">For an UPDATE, the change digest of the object it changed.</param>
public sealed record BreakGlassAdmission(
    string Uid, string User, DateTimeOffset At, string Namespace, string Group, string Kind, string Name,
    Operation Operation, string? SubResource, string? Reason, string? Digest, string? Base);

/// <summary>Where the webhook hands each break-glass admission; never blocks a decision.</summary>
public interface IBreakGlassLedger
{
    void Record(BreakGlassAdmission admission);
}

/// <summary>
/// The username the operator's own writes carry (its service account): the one user the webhook
/// lets create a ChangeApproval requested by someone else, and only a retrospective one.
/// </summary>
public sealed record OperatorIdentity(string Username);
