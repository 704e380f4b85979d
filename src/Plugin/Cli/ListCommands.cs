using Admission.Kubernetes;
using Admission.Plugin.Kube;
using Admission.Policies;

namespace Admission.Plugin.Cli;

/// <summary><c>list</c> and <c>show</c>: tables and a detail view, phase computed now with the engine.</summary>
public static class ListCommands
{
    public static Option<string?> OutputOption() => new Option<string?>("--output", "-o")
    {
        HelpName = "yaml|json",
        Description = "yaml or json: print the stored object(s) instead of the table",
    }.AcceptOnlyFromAmong("yaml", "json");

    public static Command CreateList(PluginApp app)
    {
        var all = new Option<bool>("--all-namespaces", "-A") { Description = "List ChangeApprovals in every namespace" };
        var output = OutputOption();
        var retrospective = new Option<bool>("--retrospective") { Description = "Only the retrospective ChangeApprovals opened for break-glass changes, which two reviewers must still review" };
        var command = new Command("list", "List ChangeApprovals: target, phase (computed now from the spec, not from status), approvals, expiry")
        {
            all, output, retrospective,
        };
        command.Aliases.Add("ls");
        command.SetAction((result, cancellationToken) => app.Run(result, "list", async connection =>
        {
            var allNamespaces = result.GetValue(all);
            var items = await connection.Client.ListAsync(ApiResource.ChangeApprovals, allNamespaces ? null : connection.Namespace, cancellationToken).ConfigureAwait(false);
            var stored = items.Where(i => !result.GetValue(retrospective) || IsRetrospective(i)).Select(StoredApproval.Read)
                .OrderBy(s => s.Namespace, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();
            var format = result.GetValue(output);
            if (format is not null)
            {
                var list = new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["items"] = new JsonArray([.. stored.Select(s => JsonNode.Parse(s.Object.GetRawText()))]),
                    ["kind"] = "List",
                    ["metadata"] = new JsonObject { ["resourceVersion"] = "" },
                };
                app.Host.Out.Write(Format(JsonSerializer.SerializeToElement(list, PluginJson.Default.JsonNode), format));
                return ExitCodes.Ok;
            }
            if (stored.Count == 0)
            {
                app.Host.Err.WriteLine(allNamespaces ? "No resources found" : $"No resources found in {connection.Namespace} namespace.");
                return ExitCodes.Ok;
            }
            var policy = await app.Common.LoadPolicyAsync(result, connection.Client, cancellationToken).ConfigureAwait(false);
            app.Host.WarnPolicy(policy);
            app.Host.Out.Write(RenderTable(stored, policy.Policy, app.Host.Now, allNamespaces));
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command CreateShow(PluginApp app)
    {
        var name = new Argument<string>("NAME") { Description = "The ChangeApproval to show" };
        var output = OutputOption();
        var command = new Command("show", "Show one ChangeApproval: target, operations, images, reason, ticket, requester, window, each approval, and what it still lacks")
        {
            name, output,
        };
        command.Aliases.Add("describe");
        command.SetAction((result, cancellationToken) => app.Run(result, "show", async connection =>
        {
            var n = result.GetValue(name)!;
            var obj = await connection.Client.GetAsync(ApiResource.ChangeApprovals, connection.Namespace, n, cancellationToken).ConfigureAwait(false)
                ?? throw new CommandFailedException($"error: changeapproval \"{n}\" not found in namespace {connection.Namespace}; list them with: kubectl change list -n {connection.Namespace}");
            if (result.GetValue(output) is { } format)
            {
                app.Host.Out.Write(Format(obj, format));
                return ExitCodes.Ok;
            }
            var policy = await app.Common.LoadPolicyAsync(result, connection.Client, cancellationToken).ConfigureAwait(false);
            app.Host.WarnPolicy(policy);
            var stored = StoredApproval.Read(obj);
            app.Host.Out.Write(RenderDetail(stored, policy, app.Host.Now));
            if (stored.Approval is { Change: { } change } approval)
            {
                await ApproveCommands.ShowChangeAsync(app.Host, connection, policy, approval, change, cancellationToken).ConfigureAwait(false);
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The label the operator puts on the ChangeApproval it opens for each break-glass admission.</summary>
    public const string RetrospectiveLabel = "approvals.admission.dev/retrospective";

    private static bool IsRetrospective(JsonElement item) =>
        ObjectFields.Label(item, RetrospectiveLabel) == "true";

    public static string Format(JsonElement value, string format) =>
        format == "json" ? JsonSerializer.Serialize(value, PluginJson.Output.JsonElement) + "\n" : YamlWriter.Write(value);

    public static readonly string[] Headers = ["NAME", "TARGET", "PHASE", "APPROVALS", "EXPIRES", "AGE"];

    public static string RenderTable(IReadOnlyList<StoredApproval> approvals, AdmissionPolicy policy, DateTimeOffset now, bool withNamespace)
    {
        var headers = withNamespace ? ["NAMESPACE", .. Headers] : Headers;
        var rows = new List<IReadOnlyList<string>>();
        foreach (var s in approvals)
        {
            var age = s.Created is { } c ? Durations.Human(now - c) : "<unknown>";
            string[] cells = s.Approval is { } a
                ? [s.Name, ApprovalCells.TargetCell(a), ApprovalCells.Phase(a, policy.RequiredApprovals, now),
                   ApprovalCells.ApprovalsCell(a, policy.RequiredApprovals), ApprovalCells.ExpiresCell(a, now), age]
                : [s.Name, "<invalid>", "Invalid", "", "", age];
            rows.Add(withNamespace ? [s.Namespace, .. cells] : cells);
        }
        return Table.Render(headers, rows);
    }

    public static string RenderDetail(StoredApproval stored, LoadedPolicy loaded, DateTimeOffset now)
    {
        var policy = loaded.Policy;
        var sb = new StringBuilder();
        var fields = new List<(string, string)>
        {
            ("Name", stored.Name),
            ("Namespace", stored.Namespace),
        };
        if (stored.Approval is not { } a)
        {
            fields.Add(("Problems", string.Join("; ", stored.Errors.Select(e => $"{e.Field}: {e.Message}"))));
            AppendFields(sb, fields);
            sb.Append("This object is not a valid ChangeApproval and admits nothing; request a new one.\n");
            return sb.ToString();
        }
        fields.Add(("Target", $"{a.Target.Kind} {a.Target.Name} (apiGroup: {(a.Target.ApiGroup.Length == 0 ? "\"\" (core)" : a.Target.ApiGroup)})"));
        fields.Add(("Operations", PluginHost.Operations(a)));
        fields.Add(("Images", a.Images.Count == 0 ? "any (no image restriction)" : string.Join(", ", a.Images)));
        fields.Add(("Reason", a.Reason));
        fields.Add(("Ticket", a.Ticket ?? "<none>"));
        fields.Add(("Requested by", a.RequestedBy + (stored.Created is { } c ? $", {Durations.Rfc3339(c)} ({Durations.Relative(c, now)})" : "")));
        var from = a.NotBefore is { } nb ? $"from {Durations.Rfc3339(nb)} ({Durations.Relative(nb, now)})" : "from its creation";
        fields.Add(("Valid", $"{from} until {Durations.Rfc3339(a.ExpiresAt)} ({(now >= a.ExpiresAt ? "expired " : "")}{Durations.Relative(a.ExpiresAt, now)})"));
        var phase = ApprovalCells.Phase(a, policy.RequiredApprovals, now);
        fields.Add(("Phase", phase + (stored.StatusPhase is { } sp ? $" (status.phase: {sp})" : " (no status yet)")));
        fields.Add(("Approvals", $"{a.CountedApprovers().Count} of {policy.RequiredApprovals} needed" + (a.Approvals.Count == 0 ? ", none yet" : "")));
        AppendFields(sb, fields);
        if (a.Approvals.Count > 0)
        {
            var rows = a.Approvals.Select(e => (IReadOnlyList<string>)
            [
                e.Approver + (e.Approver == a.RequestedBy ? " (requester: does not count)" : ""),
                e.ApprovedAt is { } at ? $"{Durations.Rfc3339(at)} ({Durations.Relative(at, now)})" : "<no time>",
                e.Comment ?? "",
            ]);
            foreach (var line in Table.Render(["APPROVER", "APPROVED", "COMMENT"], rows).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                sb.Append("  ").Append(line).Append('\n');
            }
        }
        var lacks = ApprovalCells.Lacks(a, policy, now);
        if (lacks.Count == 0)
        {
            sb.Append($"Lacks:        nothing; {PluginHost.Operations(a)} of {PluginHost.Describe(a)} is admitted until {Durations.Rfc3339(a.ExpiresAt)}.\n");
        }
        else
        {
            sb.Append("Lacks:\n");
            foreach (var l in lacks) sb.Append("  - ").Append(l).Append('\n');
            if (now < a.ExpiresAt && a.CountedApprovers().Count < policy.RequiredApprovals)
            {
                sb.Append($"Approve with: kubectl change approve {a.Name} -n {a.Namespace}   (approvers: {string.Join(", ", policy.ApproverGroups.Order(StringComparer.Ordinal))}; not {a.RequestedBy})\n");
            }
        }
        sb.Append($"Policy:       {loaded.Source}\n");
        return sb.ToString();
    }

    private static void AppendFields(StringBuilder sb, List<(string Label, string Value)> fields)
    {
        const int width = 14;
        foreach (var (label, value) in fields)
        {
            var head = label + ":";
            sb.Append(head.PadRight(width)).Append(value.Replace("\n", "\n" + new string(' ', width), StringComparison.Ordinal)).Append('\n');
        }
    }
}
