namespace Admission.Policies;

public enum DecisionCode
{
    NotGuarded,
    Exempt,
    NoApprovalNeeded,
    BreakGlass,
    /// <summary>A trusted controller's write (contract section 2, step 2).</summary>
    Controller,
    Approved,
    Preview,
    Denied,
}

public static class DecisionCodes
{
    /// <summary>The value of the <c>decision</c> audit annotation (contract section 2).</summary>
    public static string ToWire(this DecisionCode code) => code switch
    {
        DecisionCode.NotGuarded => "not-guarded",
        DecisionCode.Exempt => "exempt",
        DecisionCode.NoApprovalNeeded => "no-approval-needed",
        DecisionCode.BreakGlass => "break-glass",
        DecisionCode.Controller => "controller",
        DecisionCode.Approved => "approved",
        DecisionCode.Preview => "preview",
        _ => "denied",
    };
}
