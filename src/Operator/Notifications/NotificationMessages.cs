using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Admission.Kubernetes;
using Admission.Operator.Cluster;
using Admission.Policies;

namespace Admission.Operator.Notifications;

/// <summary>What a receiver is sent: the generic JSON event, or a Slack message. Words are made here, at the edge.</summary>
internal static class NotificationMessages
{
    public static string Title(NotificationKind kind) => kind switch
    {
        NotificationKind.Created => "change requested",
        NotificationKind.Reviewed => "approved by a reviewer",
        NotificationKind.Rejected => "rejected by a reviewer",
        NotificationKind.Applied => "approved change applied",
        NotificationKind.ExpiredUnused => "expired unused",
        _ => "break glass used: review needed",
    };

    public static string ShowCommand(CachedApproval a) => $"kubectl change show {a.Name} -n {a.Namespace}";

    public static string ApproveCommand(CachedApproval a) => $"kubectl change approve {a.Name} -n {a.Namespace}";

    /// <summary>The generic webhook's body: one JSON object per event.</summary>
    public static byte[] Json(NotificationEvent e, CachedApproval a, int requiredApprovals, DateTimeOffset now)
    {
        var m = a.Model!;
        var spec = a.Raw.GetProperty("spec");
        var change = spec.TryGetProperty("change", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        var body = new JsonObject
        {
            ["id"] = $"{a.Uid}/{e.Id}",
            ["event"] = e.Kind.Wire(),
            ["sentAt"] = WrittenStatus.Time(now),
            ["changeApproval"] = new JsonObject { ["namespace"] = a.Namespace, ["name"] = a.Name, ["uid"] = a.Uid },
            ["target"] = new JsonObject { ["apiGroup"] = m.Target.ApiGroup, ["kind"] = m.Target.Kind, ["name"] = m.Target.Name },
            ["requestedBy"] = m.RequestedBy,
            ["reason"] = m.Reason,
            ["ticket"] = m.Ticket,
            ["operations"] = new JsonArray([.. m.Operations.Select(o => (JsonNode)JsonValue.Create(o.ToWire()))]),
            ["images"] = new JsonArray([.. m.Images.Select(i => (JsonNode)JsonValue.Create(i))]),
            ["change"] = change.ValueKind == JsonValueKind.Object
                ? new JsonObject { ["digest"] = Str(change, "digest"), ["base"] = Str(change, "base") }
                : null,
            ["expiresAt"] = WrittenStatus.Time(m.ExpiresAt),
            ["approvedBy"] = new JsonArray([.. m.CountedApprovers().Select(x => (JsonNode)JsonValue.Create(x))]),
            ["requiredApprovals"] = requiredApprovals,
            ["retrospective"] = ApprovalCensus.IsRetrospective(a.Raw),
            ["commands"] = new JsonObject { ["show"] = ShowCommand(a), ["approve"] = ApproveCommand(a) },
        };
        if (e.Reviewer is not null)
        {
            body["review"] = new JsonObject { ["by"] = e.Reviewer, ["at"] = e.ReviewedAt, ["comment"] = e.Comment };
        }
        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    /// <summary>A Slack incoming-webhook message (mrkdwn text; &amp;, &lt; and &gt; escaped as Slack asks).</summary>
    public static byte[] Slack(NotificationEvent e, CachedApproval a, int requiredApprovals)
    {
        var m = a.Model!;
        var spec = a.Raw.GetProperty("spec");
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"*{Esc(m.Target.Kind)} {Esc(a.Namespace)}/{Esc(m.Target.Name)}: {Title(e.Kind)}* (ChangeApproval {Esc(a.Name)})\n");
        if (e.Reviewer is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Esc(e.Reviewer)} {(e.Kind == NotificationKind.Rejected ? "rejected" : "approved")}")
                .Append(e.Comment is { Length: > 0 } comment ? $": \"{Esc(comment)}\"" : "").Append('\n');
        }
        var approvers = m.CountedApprovers();
        text.Append(CultureInfo.InvariantCulture, $"Requested by {Esc(m.RequestedBy)}: {Esc(m.Reason)}\n");
        if (m.Ticket is { Length: > 0 } ticket) text.Append(CultureInfo.InvariantCulture, $"Ticket: {Esc(ticket)}\n");
        text.Append(CultureInfo.InvariantCulture, $"Change: {string.Join(", ", m.Operations.Select(o => o.ToWire()))}");
        if (spec.TryGetProperty("change", out var change) && change.ValueKind == JsonValueKind.Object && Str(change, "digest") is { } digest)
        {
            text.Append(CultureInfo.InvariantCulture, $", digest `{digest}`");
            if (Str(change, "base") is { } baseDigest) text.Append(CultureInfo.InvariantCulture, $" over base `{baseDigest}`");
        }
        if (m.Images.Count > 0) text.Append(CultureInfo.InvariantCulture, $", images {Esc(string.Join(", ", m.Images))}");
        text.Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"Approvals: {approvers.Count} of {requiredApprovals}{(approvers.Count > 0 ? " (" + Esc(string.Join(", ", approvers)) + ")" : "")}; expires {WrittenStatus.Time(m.ExpiresAt)}\n");
        text.Append(CultureInfo.InvariantCulture, $"Show: `{ShowCommand(a)}`\nApprove: `{ApproveCommand(a)}`");
        return Encoding.UTF8.GetBytes(new JsonObject { ["text"] = text.ToString() }.ToJsonString());
    }

    private static string Esc(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string? Str(JsonElement o, string name) => ObjectFields.StringAt(o, name);
}
