namespace Admission.Policies;

/// <summary>
/// Contract section 2.5: a preview (a dry-run CREATE or UPDATE whose object carries
/// <c>approvals.admission.dev/preview: "true"</c>) is answered before the rules of section 2,
/// allowed, with the change digest, so requesters and approvers learn what exactly they bind.
/// </summary>
public static class Previews
{
    public const string Annotation = "approvals.admission.dev/preview";

    public static bool IsPreview(AdmissionInput request) =>
        request.DryRun && request.Operation is Operation.Create or Operation.Update && request.SubResource is null &&
        ObjectInspection.Annotation(request.Object, Annotation) == "true";

    public static Decision Answer(AdmissionInput request, WorkloadKind kind, ChangeDigests digests)
    {
        var digest = digests.Result;
        var @base = digests.Base;
        var what = $"{kind.Kind} {request.Namespace}/{request.Name}";
        if (digest is null || (request.Operation == Operation.Update && @base is null))
        {
            // A dry run stores nothing, so allowing is safe; the warning says why there is no digest.
            return Decision.Allow(DecisionCode.Preview, $"preview of {what}: no change digest",
                [$"no change digest for {what}: {digests.Problem ?? "the request carries no object"}"]);
        }
        var warning = @base is null ? $"change digest {digest}" : $"change digest {digest} base {@base}";
        return Decision.Allow(DecisionCode.Preview, $"preview of {what}", [warning]) with { Digest = digest, Base = @base };
    }
}
