namespace Admission.Policies;

/// <summary>What the engine decided, and everything a response, a log line or a CLI row needs.</summary>
public sealed record Decision
{
    public required bool Allowed { get; init; }
    public required DecisionCode Code { get; init; }
    /// <summary><c>namespace/name</c> of the ChangeApproval used, only when <see cref="Code"/> is Approved.</summary>
    public string? Approval { get; init; }
    /// <summary>Why: for a denial, what a person must do; for an allow, a short explanation.</summary>
    public string Message { get; init; } = "";
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>The change digest of the object, whenever it is a workload in a Tier-1 namespace (or previewed).</summary>
    public string? Digest { get; init; }
    /// <summary>For an UPDATE that was previewed or admitted by break glass, the change digest of the live object.</summary>
    public string? Base { get; init; }
    /// <summary>For a denial of a workload change: per targeting approval, what keeps it from admitting, with a code.</summary>
    public IReadOnlyList<DenialCause> Causes { get; init; } = [];

    public static Decision Allow(DecisionCode code, string message, IReadOnlyList<string>? warnings = null) =>
        new() { Allowed = true, Code = code, Message = message, Warnings = warnings ?? [] };

    public static Decision ApprovedBy(string approvalKey, string message) =>
        new() { Allowed = true, Code = DecisionCode.Approved, Approval = approvalKey, Message = message };

    public static Decision Deny(string message, IReadOnlyList<string>? warnings = null) =>
        new() { Allowed = false, Code = DecisionCode.Denied, Message = message, Warnings = warnings ?? [] };
}
