using Admission.Kubernetes;
using Admission.Plugin.Kube;
using Admission.Policies;

namespace Admission.Plugin.Cli;

/// <summary>Everything <c>why</c> asks the engine with, gathered from the cluster and the command line.</summary>
public sealed record WhyQuestion(
    TargetRef Target,
    string Namespace,
    Operation Operation,
    Identity User,
    JsonElement? Object,
    JsonElement? OldObject,
    IReadOnlyList<Policies.Model.ChangeApproval> Approvals,
    IReadOnlyDictionary<string, string>? NamespaceLabels,
    string Subject,
    string? NamespaceUnreadable = null);

/// <summary><c>why</c>: what the webhook would decide about a change of one workload now, and why.</summary>
public static class WhyCommand
{
    public static Command Create(PluginApp app)
    {
        var target = new Argument<string>("KIND/NAME") { Description = "The workload: deployment/NAME, statefulset/NAME, daemonset/NAME, or kind.group/NAME" };
        var file = new Option<string?>("--filename", "-f")
        {
            HelpName = "MANIFEST",
            Description = "Manifest of the change you mean to apply; without it, a change of the live object's spec that keeps its images",
        };
        var operation = new Option<string?>("--operation")
        {
            HelpName = "OP",
            Description = "CREATE, UPDATE or DELETE (default: UPDATE when the workload exists, else CREATE)",
        };
        var command = new Command("why", "Explain what the webhook would decide now about a change of a workload, with the same engine: " +
            "the policy, the namespace's labels and every ChangeApproval that targets it, and what each lacks. " +
            "Exit status: 0 would be admitted, 1 would be denied, 2 could not tell.")
        {
            target, file, operation,
        };
        command.SetAction((result, cancellationToken) => app.Run(result, "why", local: () =>
        {
            TargetRef.CheckSyntax(result.GetValue(target)!);
            if (result.GetValue(operation) is { } op && (!Operations.TryParse(op.ToUpperInvariant(), out var parsed) || parsed == Operation.Connect))
            {
                throw new UsageException($"--operation \"{op}\" is not CREATE, UPDATE or DELETE");
            }
            if (result.GetValue(file) is { } f) _ = RequestCommand.ReadManifest(f, "-f");
        }, body: async connection =>
        {
            var policy = await app.Common.LoadPolicyAsync(result, connection.Client, cancellationToken).ConfigureAwait(false);
            app.Host.WarnPolicy(policy);
            var question = await GatherAsync(app, connection, policy.Policy, result.GetValue(target)!, result.GetValue(file),
                result.GetValue(operation), result.GetValue(app.Common.Namespace) is not null, cancellationToken).ConfigureAwait(false);
            var (text, allowed) = Explain(question, policy, app.Host.Now);
            app.Host.Out.Write(text);
            return allowed switch { true => ExitCodes.Ok, false => ExitCodes.Failed, null => ExitCodes.Usage };
        }, errorExit: ExitCodes.Usage));
        return command;
    }

    private static async Task<WhyQuestion> GatherAsync(PluginApp app, ClusterConnection connection, AdmissionPolicy policy, string targetText,
        string? file, string? operationText, bool namespaceGiven, CancellationToken cancellationToken)
    {
        var client = connection.Client;
        var target = TargetRef.Parse(targetText, policy);
        Operation? operation = null;
        if (operationText is not null)
        {
            if (!Operations.TryParse(operationText.ToUpperInvariant(), out var op) || op == Operation.Connect)
            {
                throw new UsageException($"--operation \"{operationText}\" is not CREATE, UPDATE or DELETE");
            }
            operation = op;
        }

        var ns = connection.Namespace;
        JsonElement? fromFile = null;
        if (file is not null)
        {
            var objects = RequestCommand.ReadManifest(file, "-f");
            fromFile = RequestCommand.FindObject(objects, target)
                ?? throw new UsageException($"-f {file} holds no {target.Kind} named {target.Name}");
            if (RequestCommand.Meta(fromFile.Value, "namespace") is { Length: > 0 } manifestNs && manifestNs != ns)
            {
                if (namespaceGiven)
                {
                    throw new UsageException($"-f {file} is for namespace {manifestNs}, not {ns}");
                }
                ns = manifestNs; // as kubectl apply does: the manifest's namespace wins over the context's
            }
        }

        var me = await app.Host.WhoAmIAsync(client, cancellationToken).ConfigureAwait(false);
        IReadOnlyDictionary<string, string>? labels = null;
        string? unreadable = null;
        try
        {
            if (await client.GetAsync(ApiResource.Namespaces, null, ns, cancellationToken).ConfigureAwait(false) is { } nsObj)
            {
                labels = ObjectInspection.Labels(nsObj);
            }
        }
        catch (KubernetesApiException e) when (e.IsForbidden)
        {
            // The webhook reads the labels; this user may not. What follows is said as "cannot
            // tell", never as "not Tier-1", which would tell a developer an unapproved change passes.
            unreadable = e.Reason;
        }

        var approvals = (await client.ListAsync(ApiResource.ChangeApprovals, ns, cancellationToken).ConfigureAwait(false))
            .Select(StoredApproval.Read).Where(s => s.Approval is not null).Select(s => s.Approval!).ToList();

        JsonElement? live;
        try
        {
            live = await client.GetAsync(target.Resource, ns, target.Name, cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsTypeNotServed)
        {
            throw new CommandFailedException($"error: the cluster does not serve {target.Resource.Qualified} in version {target.Resource.Version}; write KIND.VERSION.GROUP/NAME for another version.");
        }

        var op2 = operation ?? (live is null ? Operation.Create : Operation.Update);
        var previewNote = "";
        if (fromFile is { } manifest && op2 is Operation.Create or Operation.Update)
        {
            // What kube-apiserver would store (defaulting, mutating webhooks) is what an exact change binds:
            // ask it with a dry run of the same write; without one, the manifest as written is the best guess.
            try
            {
                var body = System.Text.Json.Nodes.JsonNode.Parse(manifest.GetRawText())!.AsObject();
                body["metadata"] ??= new System.Text.Json.Nodes.JsonObject();
                body["metadata"]!["namespace"] = ns;
                var written = await client.DryRunAsync(target.Resource, ns, live is null ? null : target.Name, body, cancellationToken).ConfigureAwait(false);
                fromFile = written.Object;
                previewNote = " (as the API server would store it, from a dry run)";
            }
            catch (KubernetesApiException e) when (!(e.IsUnauthorized || e.IsNotFound))
            {
                previewNote = $" (as written: the dry run to see what the API server would store failed: {e.StatusLine})";
            }
        }
        string subject;
        JsonElement? obj, old;
        switch (op2)
        {
            case Operation.Create:
                obj = fromFile ?? live ?? throw new UsageException($"{target.Kind} {ns}/{target.Name} does not exist; pass -f MANIFEST to ask about creating it");
                old = null;
                subject = fromFile is not null ? $"creating it from {file}{previewNote}" : "creating it as it is now";
                break;
            case Operation.Delete:
                old = live ?? throw new CommandFailedException($"error: {target.Kind} {ns}/{target.Name} does not exist, so there is nothing to delete");
                obj = null;
                subject = "deleting the live object";
                break;
            default:
                if (live is null && fromFile is null)
                {
                    throw new UsageException($"{target.Kind} {ns}/{target.Name} does not exist; pass -f MANIFEST to ask about creating it");
                }
                obj = fromFile ?? live;
                old = fromFile is null ? null : live;
                subject = fromFile is null
                    ? "a change of the live object's spec that keeps its images (pass -f MANIFEST to ask about a specific change)"
                    : live is null ? $"{file} (the workload does not exist yet){previewNote}" : $"{file} compared with the live object{previewNote}";
                break;
        }
        return new WhyQuestion(target, ns, op2, me, obj, old, approvals, labels, subject, unreadable);
    }

    public static AdmissionInput Input(WhyQuestion q, bool dryRun) => new()
    {
        Operation = q.Operation,
        Group = q.Target.Group,
        Kind = q.Target.Kind,
        Resource = q.Target.Plural,
        Namespace = q.Namespace,
        Name = q.Target.Name,
        User = new UserInfo(q.User.Username, q.User.Groups),
        Object = q.Object,
        OldObject = q.OldObject,
        DryRun = dryRun,
    };

    /// <summary>
    /// The decision and the reasons, as printed; true when the change would be admitted, null when
    /// that depends on labels of the namespace the user may not read.
    /// </summary>
    public static (string Text, bool? Allowed) Explain(WhyQuestion q, LoadedPolicy loaded, DateTimeOffset now)
    {
        var policy = loaded.Policy;
        var namespaces = q.NamespaceLabels is null
            ? NamespaceIndex.Empty
            : new NamespaceIndex([new KeyValuePair<string, IReadOnlyDictionary<string, string>>(q.Namespace, q.NamespaceLabels)]);
        var index = new ApprovalIndex(q.Approvals);
        var unknownTier = q.NamespaceUnreadable is not null && !policy.Tier1Namespaces.Contains(q.Namespace);
        if (unknownTier)
        {
            // Unreadable labels: decided as if Tier-1. Where it is not, nothing is guarded, so this
            // is the only decision that can differ from "allowed".
            policy = policy with { Tier1Namespaces = new HashSet<string>(policy.Tier1Namespaces) { q.Namespace } };
        }
        var decision = AdmissionEngine.Decide(Input(q, dryRun: false), new DecisionContext(policy, index, namespaces, now));
        var cannotTell = unknownTier && !decision.Allowed;

        var sb = new StringBuilder();
        var verdict = decision.Allowed ? $"ALLOWED ({decision.Code.ToWire()})" : "DENIED";
        var change = $"{q.Operation.ToWire()} of {q.Target.Kind} {q.Namespace}/{q.Target.Name} by {q.User.Username}";
        if (cannotTell)
        {
            sb.Append($"{change}: cannot tell whether it would be admitted now ({Durations.Rfc3339(now)}): you may not read Namespace {q.Namespace} " +
                $"({q.NamespaceUnreadable}), so whether it is Tier-1 is unknown. Outside Tier-1 it would be allowed; if it is Tier-1 it would be DENIED:\n");
        }
        else if (unknownTier)
        {
            sb.Append($"{change} would be {verdict} now ({Durations.Rfc3339(now)}), whether or not namespace {q.Namespace} is Tier-1.\n");
        }
        else
        {
            sb.Append($"{change} would be {verdict} now ({Durations.Rfc3339(now)}).\n");
        }
        sb.Append(decision.Message.TrimEnd()).Append('\n');
        foreach (var w in decision.Warnings)
        {
            if (!decision.Message.Contains(w, StringComparison.Ordinal)) sb.Append("Warning: ").Append(w).Append('\n');
        }

        if (!decision.Allowed && decision.Causes.Count > 0)
        {
            // The codes are the structure (contract: status.details.causes); tools can act on them.
            sb.Append("Reason codes: ").Append(string.Join(", ", decision.Causes.Select(c => c.Approval.Length == 0 ? c.Code : $"{c.Approval}={c.Code}").Distinct())).Append('\n');
        }
        var targeting = index.Targeting(q.Namespace, q.Target.Group, q.Target.Kind, q.Target.Name);
        if (decision.Allowed && targeting.Count > 0)
        {
            sb.Append("ChangeApprovals that target it:\n");
            foreach (var approval in targeting)
            {
                var single = AdmissionEngine.Decide(Input(q, dryRun: true) with { User = new UserInfo(q.User.Username, []) },
                    new DecisionContext(policy with { ExemptUsers = new HashSet<string>(), ExemptGroups = new HashSet<string>(), Tier1Namespaces = new HashSet<string>(policy.Tier1Namespaces) { q.Namespace } },
                        new ApprovalIndex([approval]), namespaces, now));
                string state;
                if (single.Code == DecisionCode.Approved)
                {
                    state = $"admits this change until {Durations.Rfc3339(approval.ExpiresAt)} ({Durations.Relative(approval.ExpiresAt, now)})";
                }
                else if (single.Allowed)
                {
                    state = single.Message;
                }
                else
                {
                    var prefix = $"ChangeApproval {approval.Namespace}/{approval.Name}: ";
                    state = single.Warnings.FirstOrDefault(w => w.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..] ?? single.Message;
                }
                sb.Append($"- {approval.Name}: {state}\n");
            }
        }
        sb.Append('\n');
        sb.Append($"Asked about: {q.Subject}.\n");
        if (unknownTier)
        {
            sb.Append($"Namespace {q.Namespace}: labels not readable ({q.NamespaceUnreadable}); someone who may get namespaces can tell whether it is Tier-1.\n");
        }
        else if (q.NamespaceLabels is null)
        {
            sb.Append($"Namespace {q.Namespace}: labels unknown; Tier-1 only if the policy lists it.\n");
        }
        sb.Append($"Policy: {loaded.Source}.\n");
        return (sb.ToString(), cannotTell ? null : decision.Allowed);
    }
}
