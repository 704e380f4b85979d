using System.Text.Json;
using System.Text.Json.Nodes;
using Admission.Kubernetes;
using Admission.Plugin.Text;
using Admission.Policies;
using Admission.Policies.Model;

namespace Admission.Plugin.Approvals;

/// <summary>One ChangeApproval as listed: the stored object, and the engine's reading of its spec.</summary>
public sealed record StoredApproval(JsonElement Object, ChangeApproval? Approval, IReadOnlyList<InputError> Errors)
{
    public string Namespace => ObjectFields.Namespace(Object) ?? "";

    public string Name => ObjectFields.Name(Object) ?? "";

    public DateTimeOffset? Created =>
        ChangeApprovalReader.TryParseTime(ObjectFields.CreationTimestamp(Object), out var t) ? t : null;

    /// <summary>What the operator wrote in status.phase; shown, never trusted.</summary>
    public string? StatusPhase => ObjectFields.StringAt(Object, "status", "phase");

    public static StoredApproval Read(JsonElement obj)
    {
        var errors = new List<InputError>();
        var approval = ChangeApprovalReader.Read(obj, errors);
        return new StoredApproval(obj, approval, errors);
    }
}

/// <summary>
/// The table cells of an approval (phase, approval count, expiry, target), computed now from its
/// spec with the engine; status is never trusted for any of it.
/// </summary>
public static class ApprovalCells
{
    public static string Phase(ChangeApproval approval, int requiredApprovals, DateTimeOffset now) =>
        approval.PhaseAt(now, requiredApprovals);

    /// <summary><c>1/2 (alice)</c>: counted approvals (never the requester's own) against the number needed.</summary>
    public static string ApprovalsCell(ChangeApproval approval, int requiredApprovals)
    {
        var counted = approval.CountedApprovers();
        var cell = $"{counted.Count}/{requiredApprovals}";
        return counted.Count == 0 ? cell : $"{cell} ({string.Join(", ", counted)})";
    }

    /// <summary><c>3h12m</c>, or <c>expired 5m ago</c>.</summary>
    public static string ExpiresCell(ChangeApproval approval, DateTimeOffset now) =>
        now >= approval.ExpiresAt ? $"expired {Durations.Human(now - approval.ExpiresAt)} ago" : Durations.Human(approval.ExpiresAt - now);

    /// <summary><c>Deployment/checkout</c>; the group is added when it is neither apps nor core.</summary>
    public static string TargetCell(ChangeApproval approval) =>
        (approval.Target.ApiGroup is "" or "apps" ? approval.Target.Kind : approval.Target.Kind + "." + approval.Target.ApiGroup) + "/" + approval.Target.Name;

    /// <summary>
    /// What keeps the approval from admitting the change it was made for, in the engine's words
    /// (empty when it is valid now). The engine is asked about exactly that change: the operation it
    /// names, an object running only the images it lists, in a Tier-1 namespace, by someone with
    /// no exemption, so the answer is about the approval alone.
    /// </summary>
    private static readonly string[] ExactChangeCodes =
        [DenialCauses.ChangeDigestDiffers, DenialCauses.ChangeBaseDiffers, DenialCauses.ChangeBaseMissing, DenialCauses.ChangeBaseUnexpected];

    public static IReadOnlyList<string> Lacks(ChangeApproval approval, AdmissionPolicy policy, DateTimeOffset now)
    {
        var kind = new WorkloadKind(approval.Target.ApiGroup, approval.Target.Kind);
        var asked = policy with
        {
            Tier1Namespaces = new HashSet<string>(policy.Tier1Namespaces) { approval.Namespace },
            WorkloadKinds = [kind],
            ExemptUsers = new HashSet<string>(),
            ExemptGroups = new HashSet<string>(),
            BreakGlassGroups = new HashSet<string>(),
        };
        var operation = approval.Operations.Contains(Operation.Update) ? Operation.Update : approval.Operations.FirstOrDefault(Operation.Update);
        var input = new AdmissionInput
        {
            Operation = operation,
            Group = kind.Group,
            Kind = kind.Kind,
            Resource = kind.Plural,
            Namespace = approval.Namespace,
            Name = approval.Target.Name,
            User = new UserInfo("kubectl-change", []),
            Object = SyntheticObject(approval),
            DryRun = true,
        };
        var decision = AdmissionEngine.Decide(input, new DecisionContext(asked, new ApprovalIndex([approval]), NamespaceIndex.Empty, now));
        if (decision.Allowed) return [];
        var prefix = $"ChangeApproval {approval.Namespace}/{approval.Name}: ";
        var line = decision.Warnings.FirstOrDefault(w => w.StartsWith(prefix, StringComparison.Ordinal));
        IReadOnlyList<string> lacks = line is null ? [decision.Message] : line[prefix.Length..].Split("; ");
        if (approval.Change is null) return lacks;
        // Whether the exact change matches depends on the live object, which this synthetic request
        // does not have: a fresh preview answers that (show, approve). Those causes are known by code.
        var unknowable = decision.Causes.Where(c => ExactChangeCodes.Contains(c.Code)).Select(c => c.Message).ToHashSet(StringComparer.Ordinal);
        return [.. lacks.Where(l => !unknowable.Contains(l) && !unknowable.Contains(l.TrimEnd('.')))];
    }

    private static JsonElement SyntheticObject(ChangeApproval approval)
    {
        var containers = new JsonArray();
        var i = 0;
        foreach (var image in approval.Images)
        {
            containers.Add(new JsonObject { ["name"] = $"c{i++}", ["image"] = image });
        }
        var obj = new JsonObject
        {
            ["apiVersion"] = approval.Target.ApiGroup.Length == 0 ? "v1" : approval.Target.ApiGroup + "/v1",
            ["kind"] = approval.Target.Kind,
            ["metadata"] = new JsonObject { ["name"] = approval.Target.Name, ["namespace"] = approval.Namespace },
            ["spec"] = new JsonObject { ["template"] = new JsonObject { ["spec"] = new JsonObject { ["containers"] = containers } } },
        };
        return JsonSerializer.SerializeToElement(obj, PluginJson.Default.JsonNode);
    }
}
