using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Admission.Policies;
using Admission.Policies.Model;

namespace Admission.Operator.BreakGlass;

/// <summary>
/// The retrospective ChangeApproval a break-glass admission leaves behind: the after-the-fact
/// review two approvers other than whoever broke the glass must give (issue 14). It targets the
/// workload, binds the admitted digest (and base), names the break-glass user as requester, and is
/// labelled <see cref="ChangeApproval.RetrospectiveLabel"/>, so no decision ever uses it. Its name
/// comes from the admission's uid, so the API server's name uniqueness makes it once per
/// break-glass change, whichever replica writes it and however often it retries.
/// </summary>
internal static class RetrospectiveApproval
{
    /// <summary>The admitting request's uid, on the retrospective ChangeApproval.</summary>
    public const string AdmissionUidAnnotation = "approvals.admission.dev/admission-uid";

    public static string NameFor(BreakGlassAdmission admission)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(admission.Uid)))[..16];
        // A DNS-1123 label of at most 63 characters, recognisable by its target.
        var target = new string([.. admission.Name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-')]).Trim('-');
        if (target.Length > 30) target = target[..30].TrimEnd('-');
        return target.Length == 0 ? $"break-glass-{hash}" : $"break-glass-{target}-{hash}";
    }

    /// <param name="validity">How long the approval's window is; it admits nothing either way, but the CRD requires one.</param>
    public static JsonObject Build(BreakGlassAdmission a, JsonObject record, TimeSpan validity)
    {
        var what = a.SubResource is { } sub && sub is "exec" or "attach" or "portforward" or "ephemeralcontainers"
            ? $"{sub} session on {a.Kind} {a.Namespace}/{a.Name}"
            : $"{a.Operation.ToWire()} of {a.Kind} {a.Namespace}/{a.Name}" + (a.SubResource is { } s ? $" ({s})" : "");
        var reason = $"Retrospective review of a break-glass {what} by {a.User} at {ChangeApprovalReader.FormatTime(a.At)}" +
                     (a.Reason is { } r ? $": {r}" : "");
        if (reason.Length > 1024) reason = reason[..1023] + "…";
        var spec = new JsonObject
        {
            ["target"] = new JsonObject { ["apiGroup"] = a.Group, ["kind"] = a.Kind, ["name"] = a.Name },
            ["operations"] = new JsonArray(a.Operation is Operation.Connect ? "UPDATE" : a.Operation.ToWire()),
            ["reason"] = reason,
            ["requestedBy"] = a.User,
            ["expiresAt"] = ChangeApprovalReader.FormatTime(a.At + validity),
            ["approvals"] = new JsonArray(),
        };
        if (a.Digest is { } digest)
        {
            spec["change"] = a.Base is { } b ? new JsonObject { ["digest"] = digest, ["base"] = b } : new JsonObject { ["digest"] = digest };
        }
        return new JsonObject
        {
            ["apiVersion"] = ChangeApproval.ApiVersion,
            ["kind"] = ChangeApproval.KindName,
            ["metadata"] = new JsonObject
            {
                ["name"] = NameFor(a),
                ["namespace"] = a.Namespace,
                ["labels"] = new JsonObject { [ChangeApproval.RetrospectiveLabel] = "true" },
                ["annotations"] = new JsonObject
                {
                    [AdmissionUidAnnotation] = a.Uid,
                    [Audit.ChangeRecord.Annotation] = record.ToJsonString(),
                },
            },
            ["spec"] = spec,
        };
    }

    /// <summary>
    /// The change record of a break-glass admission (issue 14): who, when, what exactly, and the
    /// retrospective ChangeApproval that reviews it. Kept on that approval, logged, and sent as an Event.
    /// </summary>
    public static JsonObject Record(BreakGlassAdmission a, DateTimeOffset recordedAt) => new()
    {
        ["kind"] = "BreakGlassAdmitted",
        ["changeApproval"] = new JsonObject { ["namespace"] = a.Namespace, ["name"] = NameFor(a), ["uid"] = null },
        ["target"] = new JsonObject { ["apiGroup"] = a.Group, ["kind"] = a.Kind, ["namespace"] = a.Namespace, ["name"] = a.Name },
        ["operation"] = a.Operation.ToWire(),
        ["subresource"] = a.SubResource,
        ["requestedBy"] = a.User,
        ["breakGlassBy"] = a.User,
        ["reason"] = a.Reason,
        ["ticket"] = null,
        ["reviews"] = new JsonArray(),
        ["approvedBy"] = new JsonArray(),
        ["change"] = a.Digest is { } d ? new JsonObject { ["digest"] = d, ["base"] = a.Base } : null,
        ["images"] = new JsonArray(),
        ["appliedAt"] = ChangeApprovalReader.FormatTime(a.At),
        ["admissionUid"] = a.Uid,
        ["recordedAt"] = ChangeApprovalReader.FormatTime(recordedAt),
    };
}
