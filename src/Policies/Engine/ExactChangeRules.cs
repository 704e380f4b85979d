using Admission.Policies.Model;

namespace Admission.Policies;

/// <summary>
/// Contract section 2.5: whether an approval's <c>change</c> binds exactly this change, and if
/// not, what differs, in words and as a cause code clients can act on.
/// </summary>
public static class ExactChangeRules
{
    /// <summary>Adds to <paramref name="problem"/> everything that keeps <paramref name="approval"/> from binding this change.</summary>
    public static void Check(ChangeApproval approval, Operation operation, ChangeDigests digests, AdmissionPolicy policy, AssessmentProblems problem)
    {
        if (approval.Change is not { } change)
        {
            if (policy.RequireExactChange)
            {
                problem.Add(DenialCauses.NoExactChange,
                    "binds no exact change (it has no spec.change) and the policy requires one (requireExactChange), so it counts for nothing: request the change anew from its manifest with kubectl change request -f");
            }
            return;
        }
        var result = digests.Result;
        if (result is null)
        {
            problem.Add(DenialCauses.ChangeDigestDiffers, $"the change digest of this request could not be computed ({digests.Problem ?? "no object"})");
            return;
        }
        switch (operation)
        {
            case Operation.Create:
                if (change.Base is not null)
                {
                    problem.Add(DenialCauses.ChangeBaseUnexpected, "approves a change of an existing object (spec.change.base is set), but this request creates it");
                }
                break;
            case Operation.Update:
                if (change.Base is null)
                {
                    problem.Add(DenialCauses.ChangeBaseMissing, "approves no base (spec.change.base is absent), so it cannot admit an UPDATE of a live object");
                }
                else if (!digests.BaseIs(change.Base))
                {
                    problem.Add(DenialCauses.ChangeBaseDiffers,
                        $"the base differs: the live object is {digests.Base ?? "unknown"}, not the approved base {change.Base} (the object changed since the request, or this change was already applied)");
                }
                break;
        }
        if (change.Digest != result)
        {
            var what = operation == Operation.Delete ? "the object being deleted is" : "the result differs: this request would store";
            problem.Add(DenialCauses.ChangeDigestDiffers, $"{what} {result}, not the approved {change.Digest}");
        }
    }
}

/// <summary>
/// The codes a denial carries per targeting approval, in <c>status.details.causes[].reason</c>,
/// so that clients recognise a refusal by structure rather than by its wording.
/// </summary>
public static class DenialCauses
{
    public const string NoApproval = "NoChangeApproval";
    public const string MissingApprovals = "MissingApprovals";
    public const string Rejected = "Rejected";
    public const string Expired = "Expired";
    public const string NotYetValid = "NotYetValid";
    public const string OperationNotCovered = "OperationNotCovered";
    public const string ImageNotApproved = "ImageNotApproved";
    public const string NoExactChange = "NoExactChange";
    public const string ChangeDigestDiffers = "ChangeDigestDiffers";
    public const string ChangeBaseDiffers = "ChangeBaseDiffers";
    public const string ChangeBaseMissing = "ChangeBaseMissing";
    public const string ChangeBaseUnexpected = "ChangeBaseUnexpected";
}

/// <summary>One reason a targeting approval does not admit the request: the approval's name, a <see cref="DenialCauses"/> code, and the words.</summary>
public sealed record DenialCause(string Approval, string Code, string Message)
{
    /// <summary>The field the cause is about, when it is not the approval itself (a refused ChangeApproval write: <c>spec.ticket</c>).</summary>
    public string? Field { get; init; }
}
