using Admission.Kubernetes;
using Admission.Plugin.Kube;
using Admission.Policies;
using Admission.Policies.Model;

namespace Admission.Plugin.Cli;

/// <summary>The parsed options of <c>request</c>, before anything is sent.</summary>
public sealed record RequestOptions(
    TargetRef Target,
    string Reason,
    string? Ticket,
    IReadOnlyList<string> Images,
    string? FromFile,
    IReadOnlyList<Operation> Operations,
    TimeSpan ExpiresIn,
    DateTimeOffset? NotBefore,
    string? Name)
{
    /// <summary><c>-f MANIFEST</c>: the manifest the requester will apply; its preview is the exact change approved.</summary>
    public string? Manifest { get; init; }
}

public static class RequestCommand
{
    public static readonly TimeSpan DefaultExpiresIn = TimeSpan.FromHours(24);

    public static Command Create(PluginApp app)
    {
        var target = new Argument<string>("KIND/NAME")
        {
            Description = "The workload to change: deployment/NAME, statefulset/NAME, daemonset/NAME (or deploy, sts, ds), or kind.group/NAME",
        };
        var reason = new Option<string>("--reason")
        {
            HelpName = "TEXT",
            Description = "Why the change is needed (1 to 1024 characters); approvers read this",
            Required = true,
        };
        var ticket = new Option<string?>("--ticket") { HelpName = "ID", Description = "Change ticket, e.g. CHG-12345 (required when the policy sets ticketPattern)" };
        var images = new Option<string[]>("--image")
        {
            HelpName = "REF",
            Description = "An image the change may run (repeatable); when any image is listed, the admitted object may run only listed images",
        };
        var fromFile = new Option<string?>("--from-file")
        {
            HelpName = "MANIFEST",
            Description = "Manifest of the workload as it will be applied: its container, init container and ephemeral container images are approved",
        };
        var filename = new Option<string?>("--filename", "-f")
        {
            HelpName = "MANIFEST",
            Description = "The manifest you will apply: previewed against the cluster (dry run), and its exact change digest (and the live object's) recorded, " +
                          "so the approval admits exactly that object (required while the policy's requireExactChange is true, the default)",
        };
        var operations = new Option<string[]>("--operation")
        {
            HelpName = "OP",
            Description = "CREATE, UPDATE or DELETE (repeatable; default CREATE and UPDATE)",
        };
        var expiresIn = new Option<string>("--expires-in")
        {
            HelpName = "DURATION",
            Description = "How long the approval stays valid, from --not-before or now: 24h, 90m, 2d, 1h30m (at most the policy's maxValidity)",
            DefaultValueFactory = _ => "24h",
        };
        var notBefore = new Option<string?>("--not-before")
        {
            HelpName = "TIME",
            Description = "Not valid before this time: RFC 3339 (2026-03-06T10:00:00Z) or a duration from now (2h)",
        };
        var name = new Option<string?>("--name") { HelpName = "NAME", Description = "Name of the ChangeApproval (default: the workload's name and a random suffix)" };

        var command = new Command("request", "Request approval for a change to one workload: creates a ChangeApproval in its namespace, requested by you")
        {
            target, reason, ticket, images, fromFile, filename, operations, expiresIn, notBefore, name,
        };
        command.SetAction((result, cancellationToken) => app.Run(result, "request", local: () =>
        {
            TargetRef.CheckSyntax(result.GetValue(target)!);
            if (result.GetValue(filename) is { } f) _ = ReadManifest(f, "-f");
            _ = ParseLocal(result.GetValue(reason)!, result.GetValue(ticket), result.GetValue(images) ?? [], result.GetValue(fromFile),
                result.GetValue(operations) ?? [], result.GetValue(expiresIn)!, result.GetValue(notBefore), result.GetValue(name), app.Host.Now);
        }, body: async connection =>
        {
            var client = connection.Client;
            var policy = await app.Common.LoadPolicyAsync(result, client, cancellationToken).ConfigureAwait(false);
            app.Host.WarnPolicy(policy);
            var options = Parse(
                result.GetValue(target)!, result.GetValue(reason)!, result.GetValue(ticket), result.GetValue(images) ?? [],
                result.GetValue(fromFile), result.GetValue(operations) ?? [], result.GetValue(expiresIn)!, result.GetValue(notBefore),
                result.GetValue(name), policy.Policy, app.Host.Now) with { Manifest = result.GetValue(filename) };
            if (options.Manifest is null && policy.Known is { RequireExactChange: true })
            {
                throw new UsageException($"the policy ({policy.Source}) sets requireExactChange (the default): an approval must bind the exact change, " +
                    $"so request it from the manifest you will apply: kubectl change request {options.Target.Display} -f MANIFEST --reason …");
            }
            var fileImages = options.FromFile is null ? [] : ImagesFromManifest(options.FromFile, options.Target);
            var allImages = options.Images.Concat(fileImages).Distinct(StringComparer.Ordinal).ToList();
            var me = await app.Host.WhoAmIAsync(client, cancellationToken).ConfigureAwait(false);
            PreviewedChange? change = null;
            if (options.Manifest is { } manifestPath)
            {
                var manifest = ManifestObject(manifestPath, "-f", options.Target, connection.Namespace);
                change = await ExactChange.PreviewAsync(client, connection.Namespace, options.Target, manifest, cancellationToken).ConfigureAwait(false);
                if (result.GetValue(operations) is not { Length: > 0 }) options = options with { Operations = [change.Operation] };
            }
            return await CreateAsync(app, connection, options, allImages, me, policy, change, cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }

    /// <summary>Checks and converts the command line; throws <see cref="UsageException"/>.</summary>
    public static RequestOptions Parse(string target, string reason, string? ticket, IReadOnlyList<string> images, string? fromFile,
        IReadOnlyList<string> operations, string expiresIn, string? notBefore, string? name, AdmissionPolicy policy, DateTimeOffset now)
    {
        var parsedTarget = TargetRef.Parse(target, policy);
        return ParseLocal(reason, ticket, images, fromFile, operations, expiresIn, notBefore, name, now) with { Target = parsedTarget };
    }

    /// <summary>
    /// Everything but the target (whose kinds the cluster's policy may extend): checked before the
    /// cluster is contacted, so a typo is a usage error (exit 2) even when the cluster is down.
    /// </summary>
    public static RequestOptions ParseLocal(string reason, string? ticket, IReadOnlyList<string> images, string? fromFile,
        IReadOnlyList<string> operations, string expiresIn, string? notBefore, string? name, DateTimeOffset now)
    {
        if (fromFile is not null) _ = ReadManifest(fromFile, "--from-file");
        if (string.IsNullOrWhiteSpace(reason)) throw new UsageException("--reason must not be empty: say why the change is needed");
        if (reason.Length > 1024) throw new UsageException($"--reason is {reason.Length} characters; at most 1024 are allowed");
        if (ticket is not null && ticket.Trim().Length == 0) throw new UsageException("--ticket must not be empty");
        foreach (var image in images)
        {
            if (string.IsNullOrWhiteSpace(image)) throw new UsageException("--image must not be empty");
        }
        var ops = new List<Operation>();
        foreach (var text in operations.SelectMany(o => o.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!Policies.Operations.TryParse(text.ToUpperInvariant(), out var op) || op == Operation.Connect)
            {
                throw new UsageException($"--operation \"{text}\" is not CREATE, UPDATE or DELETE");
            }
            if (!ops.Contains(op)) ops.Add(op);
        }
        if (ops.Count == 0) ops.AddRange([Operation.Create, Operation.Update]);
        if (!Durations.TryParse(expiresIn, out var validity))
        {
            throw new UsageException($"--expires-in \"{expiresIn}\" is not a positive duration such as 24h, 90m, 2d or 1h30m");
        }
        DateTimeOffset? start = null;
        if (!string.IsNullOrEmpty(notBefore))
        {
            if (ChangeApprovalReader.TryParseTime(notBefore, out var at)) start = at;
            else if (Durations.TryParse(notBefore, out var later)) start = Truncate(now + later);
            else throw new UsageException($"--not-before \"{notBefore}\" is neither an RFC 3339 time such as 2026-03-06T10:00:00Z nor a duration from now such as 2h");
        }
        if (name is not null && !System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$"))
        {
            throw new UsageException($"--name \"{name}\" is not a valid name (lower-case letters, digits, '-' and '.')");
        }
        return new RequestOptions(null!, reason, ticket, images, fromFile, ops, validity, start, name);
    }

    /// <summary>The objects of a manifest file given as <paramref name="flag"/>; problems are usage errors naming it.</summary>
    internal static List<JsonElement> ReadManifest(string path, string flag)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{flag} {path}: cannot be read: {e.Message}");
        }
        try
        {
            return YamlReader.ReadObjects(text, path);
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>The target's object in a manifest file; not there, or for another namespace, is a usage error naming the file.</summary>
    public static JsonElement ManifestObject(string path, string flag, TargetRef target, string ns)
    {
        var objects = ReadManifest(path, flag);
        if (FindObject(objects, target) is not { } match)
        {
            var found = objects.Select(o => $"{Str(o, "kind")} {Meta(o, "name")}").ToList();
            throw new UsageException($"{flag} {path} holds no {target.Kind} named {target.Name}" +
                (found.Count == 0 ? "" : $" (it holds: {string.Join(", ", found)})"));
        }
        if (Meta(match, "namespace") is { } own && own != ns)
        {
            throw new UsageException($"{flag} {path}: {target.Kind} {target.Name} is for namespace {own}, not {ns}; pass -n {own}");
        }
        return match;
    }

    /// <summary>Images of the manifest's object for the target (or its only object), via the engine's inspection.</summary>
    public static IReadOnlyList<string> ImagesFromManifest(string path, TargetRef target)
    {
        var objects = ReadManifest(path, "--from-file");
        var match = FindObject(objects, target);
        if (match is null)
        {
            var found = objects.Select(o => $"{Str(o, "kind")} {Meta(o, "name")}").ToList();
            throw new UsageException($"--from-file {path} holds no {target.Kind} named {target.Name}" +
                (found.Count == 0 ? "" : $" (it holds: {string.Join(", ", found)})"));
        }
        return ObjectInspection.Images(match.Value);
    }

    internal static JsonElement? FindObject(IReadOnlyList<JsonElement> objects, TargetRef target)
    {
        foreach (var o in objects)
        {
            if (string.Equals(Str(o, "kind"), target.Kind, StringComparison.OrdinalIgnoreCase) && Meta(o, "name") == target.Name)
            {
                return o;
            }
        }
        return null;
    }

    internal static string? Str(JsonElement o, string key) => ObjectFields.StringAt(o, key);

    internal static string? Meta(JsonElement o, string key) => ObjectFields.StringAt(o, "metadata", key);

    /// <summary>The ChangeApproval as it is sent: contract section 1, approvals empty.</summary>
    public static JsonObject Build(string name, string ns, RequestOptions options, IReadOnlyList<string> images, string requestedBy, DateTimeOffset now,
        PreviewedChange? change = null)
    {
        var start = options.NotBefore ?? Truncate(now);
        var spec = new JsonObject
        {
            ["target"] = new JsonObject
            {
                ["apiGroup"] = options.Target.Group,
                ["kind"] = options.Target.Kind,
                ["name"] = options.Target.Name,
            },
            ["operations"] = new JsonArray([.. options.Operations.Select(o => (JsonNode)JsonValue.Create(o.ToWire()))]),
        };
        if (change is not null) spec["change"] = ExactChange.ToSpec(change);
        if (images.Count > 0) spec["images"] = new JsonArray([.. images.Select(i => (JsonNode)JsonValue.Create(i))]);
        spec["reason"] = options.Reason;
        if (options.Ticket is not null) spec["ticket"] = options.Ticket;
        spec["requestedBy"] = requestedBy;
        if (options.NotBefore is { } nb) spec["notBefore"] = Durations.Rfc3339(nb);
        spec["expiresAt"] = Durations.Rfc3339(Truncate(start + options.ExpiresIn));
        spec["approvals"] = new JsonArray();
        return new JsonObject
        {
            ["apiVersion"] = ChangeApproval.ApiVersion,
            ["kind"] = ChangeApproval.KindName,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = spec,
        };
    }

    /// <summary>A name from the workload's: <c>checkout-7x2kq</c>.</summary>
    public static string GenerateName(string targetName, string suffix)
    {
        var stem = targetName.Length > 240 ? targetName[..240] : targetName;
        return $"{stem.TrimEnd('-', '.')}-{suffix}";
    }

    private static async Task<int> CreateAsync(PluginApp app, ClusterConnection connection, RequestOptions options, IReadOnlyList<string> images,
        Identity me, LoadedPolicy policy, PreviewedChange? change, CancellationToken cancellationToken)
    {
        var host = app.Host;
        for (var attempt = 0; ; attempt++)
        {
            var name = options.Name ?? GenerateName(options.Target.Name, host.NameSuffix());
            var body = Build(name, connection.Namespace, options, images, me.Username, host.Now, change);
            WriteResult written;
            try
            {
                written = await connection.Client.CreateAsync(ApiResource.ChangeApprovals, connection.Namespace, body, cancellationToken).ConfigureAwait(false);
            }
            catch (KubernetesApiException e) when (e.IsConflict && options.Name is null && attempt < 3)
            {
                continue; // the generated name was taken: draw another
            }
            catch (KubernetesApiException e) when (e.IsConflict)
            {
                throw new CommandFailedException($"error: changeapproval {name} already exists in namespace {connection.Namespace}; choose another --name.");
            }
            catch (KubernetesApiException e) when (InvalidRefusals.Causes(e) is { } causes)
            {
                throw new CommandFailedException(InvalidRefusals.Explain(
                    new RefusalContext("request", name, connection.Namespace, me, null, host.Now, host.Environment(PluginHost.UserOverrideVariable)), causes));
            }
            catch (KubernetesApiException e) when (Refusals.WebhookMessage(e) is not null)
            {
                throw new CommandFailedException(Refusals.Explain(
                    new RefusalContext("request", name, connection.Namespace, me, null, host.Now, host.Environment(PluginHost.UserOverrideVariable), policy.Known), e));
            }
            host.Warn(written.Warnings);
            var stored = StoredApproval.Read(written.Object);
            var approval = stored.Approval ?? ChangeApprovalReader.Read(JsonSerializer.SerializeToElement(body, PluginJson.Default.JsonNode), [])!;
            PrintCreated(host.Out, approval, policy, host.Now);
            if (change is not null) PrintChange(host.Out, options.Target, change, policy.Policy);
            return ExitCodes.Ok;
        }
    }

    private static void PrintCreated(TextWriter o, ChangeApproval approval, LoadedPolicy loaded, DateTimeOffset now)
    {
        var policy = loaded.Policy;
        o.WriteLine($"{PluginHost.Qualified(approval.Name)} created");
        var images = approval.Images.Count == 0 ? "any images" : "images " + string.Join(", ", approval.Images);
        var window = approval.NotBefore is { } nb && nb > now
            ? $"from {Durations.Rfc3339(nb)} ({Durations.Relative(nb, now)}) until {Durations.Rfc3339(approval.ExpiresAt)}"
            : $"until {Durations.Rfc3339(approval.ExpiresAt)} ({Durations.Relative(approval.ExpiresAt, now)})";
        o.WriteLine($"It covers {PluginHost.Operations(approval)} of {PluginHost.Describe(approval)} with {images}, valid {window}.");
        var groups = string.Join(", ", policy.ApproverGroups.Order(StringComparer.Ordinal));
        o.WriteLine($"Next: {policy.RequiredApprovals} people other than {approval.RequestedBy}, each in {(policy.ApproverGroups.Count == 1 ? "the group" : "one of the groups")} {groups}, must approve it. Each of them runs:");
        o.WriteLine($"  kubectl change approve {approval.Name} -n {approval.Namespace}");
        o.WriteLine($"Follow it with: kubectl change show {approval.Name} -n {approval.Namespace}");
    }

    /// <summary>What the approvers are asked to approve: the exact change, and its difference from the live object.</summary>
    internal static void PrintChange(TextWriter o, TargetRef target, PreviewedChange change, AdmissionPolicy policy)
    {
        o.WriteLine(change.Base is null
            ? $"It binds the exact change: {change.Operation.ToWire()} of {target.Display} to {change.Digest}."
            : $"It binds the exact change: {change.Operation.ToWire()} of {target.Display} from {change.Base} to {change.Digest}.");
        o.WriteLine(change.Live is null ? "The object it creates (content, as the API server would store it):" : "Difference from the live object (content, as the API server would store it):");
        o.Write(ContentDiff.Render(change.Live, change.Previewed, policy));
        o.WriteLine("Apply exactly this manifest once it is approved; any other content is denied.");
    }

    internal static DateTimeOffset Truncate(DateTimeOffset t) =>
        new DateTimeOffset(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
}
