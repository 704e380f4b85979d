using Admission.Kubernetes;
using Admission.Plugin.Kube;
using Admission.Policies.Model;

namespace Admission.Plugin.Cli;

/// <summary>
/// <c>approve</c>, <c>reject</c> and <c>withdraw</c>: add or remove the caller's own entry in
/// spec.approvals. An approval that binds an exact change is first previewed again (contract 2.5):
/// approve and reject refuse when the change no longer matches, and approve shows the difference and
/// asks for confirmation unless --yes.
/// </summary>
public static class ApproveCommands
{
    /// <summary>How many times a write that lost a race (409 Conflict) is retried on a fresh read.</summary>
    public const int MaxAttempts = 5;

    public static Command CreateApprove(PluginApp app)
    {
        var name = new Argument<string>("NAME") { Description = "The ChangeApproval to approve (see kubectl change list)" };
        var comment = new Option<string?>("--comment") { HelpName = "TEXT", Description = "A note stored with your approval, e.g. what you checked" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Approve without asking for confirmation after the difference is shown" };
        var command = new Command("approve", "Approve a ChangeApproval: adds your entry (approver, approvedAt, comment) to its spec.approvals. " +
            "An exact change is previewed again first and refused when it no longer matches. " +
            "The webhook refuses your own request, approvers outside the approver groups, expired approvals and a second approval by the same person.")
        {
            name, comment, yes,
        };
        command.SetAction((result, cancellationToken) => app.Run(result, "approve", async connection =>
        {
            var policy = await app.Common.LoadPolicyAsync(result, connection.Client, cancellationToken).ConfigureAwait(false);
            return await ReviewAsync(app, connection, policy, result.GetValue(name)!, result.GetValue(comment), reject: false, result.GetValue(yes), cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command CreateReject(PluginApp app)
    {
        var name = new Argument<string>("NAME") { Description = "The ChangeApproval to reject" };
        var comment = new Option<string>("--comment") { HelpName = "TEXT", Description = "Why you reject it; the requester and the other approvers read this", Required = true };
        var command = new Command("reject", "Reject a ChangeApproval: adds your entry with decision Reject, which blocks it until you withdraw it (kubectl change withdraw)")
        {
            name, comment,
        };
        command.SetAction((result, cancellationToken) => app.Run(result, "reject", async connection =>
        {
            var policy = await app.Common.LoadPolicyAsync(result, connection.Client, cancellationToken).ConfigureAwait(false);
            return await ReviewAsync(app, connection, policy, result.GetValue(name)!, result.GetValue(comment), reject: true, yes: true, cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command CreateWithdraw(PluginApp app)
    {
        var name = new Argument<string>("NAME") { Description = "The ChangeApproval to withdraw your approval from" };
        var command = new Command("withdraw", "Withdraw your approval: removes your own entry from the ChangeApproval's spec.approvals")
        {
            name,
        };
        command.SetAction((result, cancellationToken) => app.Run(result, "withdraw", async connection =>
        {
            var policy = await app.Common.LoadPolicyAsync(result, connection.Client, cancellationToken).ConfigureAwait(false);
            return await WithdrawAsync(app, connection, policy, result.GetValue(name)!, cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }

    private static async Task<int> ReviewAsync(PluginApp app, ClusterConnection connection, LoadedPolicy policy, string name, string? comment, bool reject, bool yes,
        CancellationToken cancellationToken)
    {
        var host = app.Host;
        var me = await host.WhoAmIAsync(connection.Client, cancellationToken).ConfigureAwait(false);
        var action = reject ? "reject" : "approve";
        var current = await connection.Client.GetAsync(ApiResource.ChangeApprovals, connection.Namespace, name, cancellationToken).ConfigureAwait(false);
        if (current is { } raw && StoredApproval.Read(raw).Approval is { Change: { } change } approval)
        {
            await CheckChangeAsync(app, connection, policy, approval, change, action, showAndConfirm: !reject && !yes, cancellationToken).ConfigureAwait(false);
        }
        return await UpdateAsync(app, connection, policy, name, me, action, (body, _) =>
        {
            var entry = new JsonObject
            {
                ["approver"] = me.Username,
                ["approvedAt"] = Durations.Rfc3339(host.Now),
            };
            if (reject) entry["decision"] = "Reject";
            if (!string.IsNullOrEmpty(comment)) entry["comment"] = comment;
            Approvals(body).Add(entry);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Previews the recorded manifest again and refuses (exit 1, saying what changed) when its digest
    /// or base no longer matches; with <paramref name="showAndConfirm"/>, shows the difference and asks.
    /// </summary>
    private static async Task CheckChangeAsync(PluginApp app, ClusterConnection connection, LoadedPolicy policy, ChangeApproval approval, ApprovedChange change,
        string action, bool showAndConfirm, CancellationToken cancellationToken)
    {
        var host = app.Host;
        var qualified = $"changeapproval {approval.Name} in namespace {approval.Namespace}";
        if (change.Manifest is not { ValueKind: JsonValueKind.Object } manifest)
        {
            host.Err.WriteLine($"warning: {qualified} records no manifest, so the change cannot be previewed; you {action} the digest {change.Digest} as it stands.");
            return;
        }
        var target = TargetOf(approval, policy);
        var now = await ExactChange.PreviewAsync(connection.Client, approval.Namespace, target, manifest, cancellationToken).ConfigureAwait(false);
        var mismatch = ExactChange.Compare(change, now);
        if (!mismatch.Matches)
        {
            throw new CommandFailedException($"error: {qualified} no longer matches the cluster: {mismatch.Describe(change, now)}. " +
                $"Nothing was {(action == "reject" ? "rejected" : "approved")}; it can never admit anything now, so {approval.RequestedBy} must request the change anew: " +
                $"kubectl change request {target.Display} -f MANIFEST --reason ….");
        }
        if (!showAndConfirm) return;
        RequestCommand.PrintChange(host.Out, target, now, policy.Policy);
        if (host.In is null)
        {
            throw new UsageException("approving needs a confirmation, and there is no terminal to ask at; pass --yes once you have read the difference above");
        }
        host.Out.Write($"Approve exactly this change for {approval.RequestedBy}? [y/N] ");
        host.Out.Flush();
        var answer = (await host.In.ReadLineAsync(cancellationToken).ConfigureAwait(false))?.Trim();
        if (answer is not ("y" or "Y" or "yes" or "Yes"))
        {
            throw new CommandFailedException($"Not approved: {qualified} is unchanged.");
        }
    }

    private static async Task<int> WithdrawAsync(PluginApp app, ClusterConnection connection, LoadedPolicy policy, string name, CancellationToken cancellationToken)
    {
        var host = app.Host;
        var me = await host.WhoAmIAsync(connection.Client, cancellationToken).ConfigureAwait(false);
        return await UpdateAsync(app, connection, policy, name, me, "withdraw", (body, approval) =>
        {
            if (approval.Approvals.All(e => e.Approver != me.Username))
            {
                throw new CommandFailedException($"error: you ({me.Username}) have not approved changeapproval {name} in namespace {connection.Namespace}; there is nothing to withdraw.");
            }
            var list = Approvals(body);
            for (var i = list.Count - 1; i >= 0; i--)
            {
                if (list[i] is JsonObject e && e["approver"] is JsonValue v && v.TryGetValue<string>(out var who) && who == me.Username)
                {
                    list.RemoveAt(i);
                }
            }
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static TargetRef TargetOf(ChangeApproval approval, LoadedPolicy policy) =>
        TargetRef.Parse($"{approval.Target.Kind}.{(approval.Target.ApiGroup.Length == 0 ? "v1" : approval.Target.ApiGroup)}/{approval.Target.Name}", policy.Policy);

    /// <summary>
    /// For <c>show</c>: the recorded change, whether a fresh preview of its manifest still matches it
    /// (base and result), and the difference between the live object and that preview.
    /// </summary>
    internal static async Task ShowChangeAsync(PluginHost host, ClusterConnection connection, LoadedPolicy policy, ChangeApproval approval, ApprovedChange change,
        CancellationToken cancellationToken)
    {
        var o = host.Out;
        o.WriteLine($"Change:       digest {change.Digest}" + (change.Base is null ? "" : $", base {change.Base}"));
        if (change.Manifest is not { ValueKind: JsonValueKind.Object } manifest)
        {
            o.WriteLine("              no manifest recorded, so it cannot be previewed");
            return;
        }
        var target = TargetOf(approval, policy);
        var now = await ExactChange.PreviewAsync(connection.Client, approval.Namespace, target, manifest, cancellationToken).ConfigureAwait(false);
        var mismatch = ExactChange.Compare(change, now);
        o.WriteLine(mismatch.Matches
            ? "Preview:      a fresh preview of the recorded manifest still matches (same base, same result)"
            : $"Preview:      NO LONGER MATCHES: {mismatch.Describe(change, now)}; it can admit nothing, request it anew");
        o.WriteLine(now.Live is null ? "The object it creates (content, as the API server would store it):" : "Difference from the live object (content, as the API server would store it):");
        o.Write(ContentDiff.Render(now.Live, now.Previewed, policy.Policy));
    }

    private static JsonArray Approvals(JsonObject body)
    {
        var spec = body["spec"] as JsonObject ?? throw new CommandFailedException("error: the ChangeApproval has no spec");
        if (spec["approvals"] is JsonArray list) return list;
        list = [];
        spec["approvals"] = list;
        return list;
    }

    /// <summary>
    /// Read, change, PUT with the read's resourceVersion; on 409 Conflict read again and redo the
    /// change, up to <see cref="MaxAttempts"/> times. Webhook refusals become a plain-words paragraph.
    /// </summary>
    private static async Task<int> UpdateAsync(PluginApp app, ClusterConnection connection, LoadedPolicy policy, string name, Identity me, string action,
        Func<JsonObject, ChangeApproval, bool> change, CancellationToken cancellationToken)
    {
        var host = app.Host;
        var ns = connection.Namespace;
        for (var attempt = 1; ; attempt++)
        {
            var current = await connection.Client.GetAsync(ApiResource.ChangeApprovals, ns, name, cancellationToken).ConfigureAwait(false)
                ?? throw new CommandFailedException($"error: changeapproval \"{name}\" not found in namespace {ns}; list them with: kubectl change list -n {ns}");
            var stored = StoredApproval.Read(current);
            if (stored.Approval is not { } approval)
            {
                throw new CommandFailedException($"error: changeapproval {name} in namespace {ns} is not a valid ChangeApproval ({string.Join("; ", stored.Errors.Select(e => $"{e.Field}: {e.Message}"))}); request a new one.");
            }
            var body = JsonNode.Parse(current.GetRawText())!.AsObject();
            body.Remove("status");
            change(body, approval);
            WriteResult written;
            try
            {
                written = await connection.Client.ReplaceAsync(ApiResource.ChangeApprovals, ns, name, body, cancellationToken).ConfigureAwait(false);
            }
            catch (KubernetesApiException e) when (e.IsConflict && attempt < MaxAttempts)
            {
                continue;
            }
            catch (KubernetesApiException e) when (e.IsConflict)
            {
                throw new CommandFailedException($"error: changeapproval {name} in namespace {ns} kept changing while you were writing ({MaxAttempts} attempts); run the command again.");
            }
            catch (KubernetesApiException e) when (InvalidRefusals.Causes(e) is { } causes)
            {
                throw new CommandFailedException(InvalidRefusals.Explain(
                    new RefusalContext(action, name, ns, me, approval, host.Now, host.Environment(PluginHost.UserOverrideVariable)), causes));
            }
            catch (KubernetesApiException e) when (Refusals.WebhookMessage(e) is not null)
            {
                throw new CommandFailedException(Refusals.Explain(
                    new RefusalContext(action, name, ns, me, approval, host.Now, host.Environment(PluginHost.UserOverrideVariable), policy.Known), e));
            }
            host.Warn(written.Warnings);
            var after = StoredApproval.Read(written.Object).Approval ?? approval;
            Report(host, after, policy, me, action);
            return ExitCodes.Ok;
        }
    }

    /// <summary>What the approval amounts to now, in the engine's terms.</summary>
    private static void Report(PluginHost host, ChangeApproval approval, LoadedPolicy loaded, Identity me, string action)
    {
        var o = host.Out;
        var now = host.Now;
        var policy = loaded.Policy;
        o.WriteLine(action switch
        {
            "approve" => $"{PluginHost.Qualified(approval.Name)} approved by {me.Username}",
            "reject" => $"{PluginHost.Qualified(approval.Name)} rejected by {me.Username}; it admits nothing until you withdraw it (kubectl change withdraw {approval.Name})",
            _ => $"{PluginHost.Qualified(approval.Name)}: approval by {me.Username} withdrawn",
        });
        var summary = PluginHost.ApprovalsSummary(approval, policy.RequiredApprovals);
        var lacks = ApprovalCells.Lacks(approval, policy, now);
        var images = approval.Images.Count == 0 ? "" : " with images " + string.Join(", ", approval.Images);
        if (lacks.Count == 0)
        {
            o.WriteLine($"Now {summary}: {PluginHost.Operations(approval)} of {PluginHost.Describe(approval)}{images} will be admitted until " +
                        $"{Durations.Rfc3339(approval.ExpiresAt)} ({Durations.Relative(approval.ExpiresAt, now)}).");
        }
        else
        {
            var effect = action == "approve" ? "" : $" {PluginHost.Describe(approval)} cannot be changed with it.";
            o.WriteLine($"Now {summary}; it still lacks: {string.Join("; ", lacks)}.{effect}");
        }
        host.WarnPolicy(loaded);
    }
}
