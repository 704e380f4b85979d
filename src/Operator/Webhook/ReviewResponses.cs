using Admission.Policies;

namespace Admission.Operator.Webhook;

/// <summary>Builds responses the way controller-runtime's Allowed/Denied/Errored helpers do.</summary>
public static class ReviewResponses
{
    public static AdmissionReview From(string uid, Decision decision)
    {
        var annotations = new Dictionary<string, string>(3) { ["decision"] = decision.Code.ToWire() };
        if (decision.Code == DecisionCode.Approved && decision.Approval is not null)
        {
            annotations["approval"] = decision.Approval;
        }
        if (decision.Digest is not null)
        {
            annotations["digest"] = decision.Digest;
        }
        var response = new AdmissionResponse
        {
            Uid = uid,
            Allowed = decision.Allowed,
            AuditAnnotations = annotations,
            Warnings = decision.Warnings.Count == 0 ? null : [.. decision.Warnings],
            Status = decision.Allowed ? null : new ReviewStatus
            {
                Status = "Failure", Code = 403, Reason = "Forbidden", Message = decision.Message,
                Details = decision.Causes.Count == 0 ? null : new ReviewStatusDetails { Causes = Causes(decision.Causes) },
            },
        };
        return Wrap(response);
    }

    private static List<ReviewStatusCause> Causes(IReadOnlyList<DenialCause> causes)
    {
        var written = new List<ReviewStatusCause>(causes.Count);
        foreach (var cause in causes) written.Add(Cause(cause));
        return written;
    }

    /// <summary>The cause's field names the approval it is about, as a path a client can resolve.</summary>
    private static ReviewStatusCause Cause(DenialCause c) => new()
    {
        Reason = c.Code,
        Message = c.Message,
        Field = c.Field ?? (c.Approval.Length == 0 ? null : "changeapprovals/" + c.Approval),
    };

    /// <summary>The request could not be decided: deny, with the code saying whose fault it was.</summary>
    public static AdmissionReview Errored(string uid, int code, string message) => Wrap(new AdmissionResponse
    {
        Uid = uid,
        Allowed = false,
        AuditAnnotations = new Dictionary<string, string>(1) { ["decision"] = "denied" },
        Status = new ReviewStatus { Status = "Failure", Code = code, Reason = code >= 500 ? "InternalError" : "BadRequest", Message = message },
    });

    private static AdmissionReview Wrap(AdmissionResponse response) =>
        new() { ApiVersion = ReviewTranslator.ApiVersion, Kind = "AdmissionReview", Response = response };
}
