using Admission.Kubernetes;
using Admission.Plugin.Kube;

namespace Admission.Plugin.Cli;

/// <summary>
/// <c>history</c>: the change records the operator kept on ChangeApprovals still in the cluster
/// (annotation <c>audit.approvals.admission.dev/record</c>), newest first, in the shape an
/// auditor's sample wants: a table, JSON, or CSV.
/// </summary>
public static class HistoryCommand
{
    public const string RecordAnnotation = "audit.approvals.admission.dev/record";

    public static readonly string[] CsvColumns =
    [
        "appliedAt", "namespace", "kind", "name", "changeApproval", "changeApprovalUid", "requestedBy", "approvedBy",
        "reviews", "reason", "ticket", "digest", "base", "recordedAt", "kind",
    ];

    /// <summary>The record of a break-glass admission, kept on its retrospective ChangeApproval.</summary>
    public const string BreakGlassKind = "BreakGlassAdmitted";

    public static Command Create(PluginApp app)
    {
        var target = new Argument<string?>("TARGET") { Description = "Only this workload, as KIND/NAME (deployment/checkout)", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all-namespaces", "-A") { Description = "Records from every namespace" };
        var output = new Option<string?>("--output", "-o") { HelpName = "json|csv", Description = "json (one array of records) or csv (one row per change)" }
            .AcceptOnlyFromAmong("json", "csv");
        var command = new Command("history", "List the change records of applied changes still in the cluster: who requested, who approved and when, what changed, when it was applied")
        {
            target, all, output,
        };
        command.SetAction((result, cancellationToken) => app.Run(result, "history", async connection =>
        {
            var allNamespaces = result.GetValue(all);
            TargetRef? only = null;
            if (result.GetValue(target) is { } t)
            {
                var policy = await app.Common.LoadPolicyAsync(result, connection.Client, cancellationToken).ConfigureAwait(false);
                only = TargetRef.Parse(t, policy.Policy);
            }
            var items = await connection.Client.ListAsync(ApiResource.ChangeApprovals, allNamespaces ? null : connection.Namespace, cancellationToken).ConfigureAwait(false);
            var records = Records(items)
                .Where(r => only is null || (Str(r["target"], "kind") == only.Kind && Str(r["target"], "name") == only.Name && (Str(r["target"], "apiGroup") ?? "") == only.Group))
                .OrderByDescending(r => Str(r, "appliedAt"), StringComparer.Ordinal).ToList();
            switch (result.GetValue(output))
            {
                case "json":
                    app.Host.Out.Write(JsonSerializer.Serialize(new JsonArray([.. records]), PluginJson.Output.JsonNode) + "\n");
                    break;
                case "csv":
                    app.Host.Out.Write(Csv(records));
                    break;
                default:
                    if (records.Count == 0)
                    {
                        app.Host.Err.WriteLine(allNamespaces ? "No change records found" : $"No change records found in {connection.Namespace} namespace.");
                        break;
                    }
                    app.Host.Out.Write(RenderTable(records, allNamespaces));
                    break;
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The records kept on these ChangeApprovals; one that does not read as JSON is skipped.</summary>
    public static List<JsonObject> Records(IEnumerable<JsonElement> approvals)
    {
        var records = new List<JsonObject>();
        foreach (var a in approvals)
        {
            if (ObjectFields.Annotation(a, RecordAnnotation) is { } recorded)
            {
                try
                {
                    if (JsonNode.Parse(recorded) is JsonObject record)
                    {
                        if (Str(record, "kind") == BreakGlassKind) WithReviews(record, a);
                        records.Add(record);
                    }
                }
                catch (JsonException)
                {
                    // not a record this operator wrote
                }
            }
        }
        return records;
    }

    /// <summary>
    /// A break-glass record is written when the glass is broken, before anyone reviews it: its
    /// reviews are those of the retrospective ChangeApproval as it is now.
    /// </summary>
    private static void WithReviews(JsonObject record, JsonElement approval)
    {
        if (ObjectFields.Uid(approval) is { } uid && record["changeApproval"] is JsonObject ca)
        {
            ca["uid"] = uid;
        }
        var reviews = new JsonArray();
        var approvedBy = new JsonArray();
        var requester = Str(record, "requestedBy");
        if (approval.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object &&
            spec.TryGetProperty("approvals", out var entries) && entries.ValueKind == JsonValueKind.Array)
        {
            foreach (var e in entries.EnumerateArray())
            {
                var by = Prop(e, "approver");
                var decision = Prop(e, "decision") ?? "Approve";
                reviews.Add(new JsonObject { ["by"] = by, ["decision"] = decision, ["at"] = Prop(e, "approvedAt"), ["comment"] = Prop(e, "comment") });
                if (decision == "Approve" && by is not null && by != requester) approvedBy.Add(by);
            }
        }
        // The operator's count (persons, not spellings) when it has written one.
        if (approval.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object &&
            status.TryGetProperty("approvedBy", out var counted) && counted.ValueKind == JsonValueKind.Array)
        {
            approvedBy = new JsonArray([.. counted.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => (JsonNode)JsonValue.Create(x.GetString()!))]);
        }
        record["reviews"] = reviews;
        record["approvedBy"] = approvedBy;
    }

    private static string? Prop(JsonElement o, string name) => ObjectFields.StringAt(o, name);

    public static string RenderTable(IReadOnlyList<JsonObject> records, bool withNamespace)
    {
        string[] headers = withNamespace
            ? ["APPLIED", "NAMESPACE", "TARGET", "CHANGEAPPROVAL", "REQUESTED BY", "APPROVED BY", "TICKET", "REASON"]
            : ["APPLIED", "TARGET", "CHANGEAPPROVAL", "REQUESTED BY", "APPROVED BY", "TICKET", "REASON"];
        var rows = records.Select(r =>
        {
            var target = $"{Str(r["target"], "kind")?.ToLowerInvariant()}/{Str(r["target"], "name")}";
            var breakGlass = Str(r, "kind") == BreakGlassKind;
            var approvedBy = ApprovedBy(r);
            string[] cells = [Str(r, "appliedAt") ?? "", target, Str(r["changeApproval"], "name") ?? "",
                (Str(r, "requestedBy") ?? "") + (breakGlass ? " (break glass)" : ""),
                breakGlass && approvedBy.Length == 0 ? "(not reviewed yet)" : approvedBy, Str(r, "ticket") ?? "", Str(r, "reason") ?? ""];
            return (IReadOnlyList<string>)(withNamespace ? [cells[0], Str(r["changeApproval"], "namespace") ?? "", .. cells[1..]] : cells);
        }).ToList();
        return Table.Render(headers, rows);
    }

    /// <summary>RFC 4180: every field quoted, quotes doubled; reviews as "who at time: comment" joined by "; ".</summary>
    public static string Csv(IReadOnlyList<JsonObject> records)
    {
        var sb = new StringBuilder();
        sb.Append(string.Join(",", CsvColumns)).Append("\r\n");
        foreach (var r in records)
        {
            var reviews = r["reviews"] is JsonArray list
                ? string.Join("; ", list.Select(x => $"{Str(x, "by")} {Str(x, "decision")} at {Str(x, "at")}" + (Str(x, "comment") is { } c ? $": {c}" : "")))
                : "";
            string?[] fields =
            [
                Str(r, "appliedAt"), Str(r["changeApproval"], "namespace"), Str(r["target"], "kind"), Str(r["target"], "name"),
                Str(r["changeApproval"], "name"), Str(r["changeApproval"], "uid"), Str(r, "requestedBy"), ApprovedBy(r), reviews,
                Str(r, "reason"), Str(r, "ticket"), Str(r["change"], "digest"), Str(r["change"], "base"), Str(r, "recordedAt"),
                Str(r, "kind"),
            ];
            sb.Append(string.Join(",", fields.Select(f => "\"" + (f ?? "").Replace("\"", "\"\"", StringComparison.Ordinal) + "\""))).Append("\r\n");
        }
        return sb.ToString();
    }

    private static string ApprovedBy(JsonObject r) =>
        r["approvedBy"] is JsonArray a ? string.Join(",", a.Select(x => x?.ToString())) : "";

    private static string? Str(JsonNode? o, string key) =>
        o is JsonObject obj && obj[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
