namespace Admission.Policies;

/// <summary>
/// The codes a refused ChangeApproval write carries (contract section 3), one per problem, in
/// <c>status.details.causes[].reason</c> with the field it is about: the plugin turns each into its
/// paragraph by the code, so rewording a message never changes what a client decides.
/// </summary>
public static class ApprovalRefusals
{
    /// <summary>The object does not read as a ChangeApproval (a schema-level problem of one field).</summary>
    public const string InvalidField = "InvalidField";
    public const string RequesterNotYou = "RequesterNotYou";
    /// <summary>The operator named another requester on an approval that is not retrospective.</summary>
    public const string RetrospectiveOnly = "RetrospectiveOnly";
    /// <summary>The retrospective label was added, removed or changed.</summary>
    public const string RetrospectiveLabelChanged = "RetrospectiveLabelChanged";
    public const string ReasonInvisible = "ReasonInvisible";
    public const string NotBeforeTooFar = "NotBeforeTooFar";
    public const string ApprovalsAtCreation = "ApprovalsAtCreation";
    public const string ExpiresInPast = "ExpiresInPast";
    public const string ExpiresBeforeStart = "ExpiresBeforeStart";
    public const string ValidityTooLong = "ValidityTooLong";
    public const string ExactChangeRequired = "ExactChangeRequired";
    public const string ChangeBaseRequired = "ChangeBaseRequired";
    public const string TicketRequired = "TicketRequired";
    public const string TicketMismatch = "TicketMismatch";
    public const string SpecChanged = "SpecChanged";
    public const string StoredInvalid = "StoredInvalid";
    public const string OthersEntry = "OthersEntry";
    public const string TooManyAdded = "TooManyAdded";
    public const string ApproverNotYou = "ApproverNotYou";
    public const string OwnRequest = "OwnRequest";
    public const string AlreadyReviewed = "AlreadyReviewed";
    public const string ApprovedAtMissing = "ApprovedAtMissing";
    public const string ClockSkew = "ClockSkew";
    public const string NotApprover = "NotApprover";
    public const string ApproverVerbDenied = "ApproverVerbDenied";
    public const string Expired = "Expired";
}

/// <summary>One problem of a refused ChangeApproval write: its <see cref="ApprovalRefusals"/> code, the field, the words.</summary>
public sealed record ApprovalProblem(string Code, string Field, string Message);
