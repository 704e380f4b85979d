using System.Text;

namespace Admission.Policies;

/// <summary>Denials a person can act on: what is guarded, what each approval lacks, and what to run next.</summary>
public static class DenialMessage
{
    public static string Build(AdmissionInput request, WorkloadKind kind, AdmissionPolicy policy, IReadOnlyList<Assessment> closestFirst, IReadOnlyList<string> hints)
    {
        var sb = new StringBuilder();
        sb.Append($"namespace {request.Namespace} is Tier-1: {request.Operation.ToWire()} of {kind.Kind} {request.Namespace}/{request.Name} ")
          .Append($"needs a ChangeApproval approved by {policy.RequiredApprovals} people other than its requester.");
        if (closestFirst.Count == 0)
        {
            sb.Append($" No ChangeApproval in {request.Namespace} targets {kind.Kind} {request.Name}.");
        }
        foreach (var a in closestFirst)
        {
            sb.Append($"\n- ChangeApproval {a.Approval.Name}: {string.Join("; ", a.Problems)}.");
        }
        foreach (var hint in hints)
        {
            sb.Append('\n').Append(hint);
        }
        sb.Append('\n').Append(closestFirst.Count == 0 ? "Request one: " : "Or request a new one: ").Append(RequestCommand(request, kind, policy));
        return sb.ToString();
    }

    /// <summary>What kubectl shows on a server-side dry run: one line per approval still short of valid.</summary>
    public static IReadOnlyList<string> Warnings(WorkloadKind kind, AdmissionInput request, AdmissionPolicy policy, IReadOnlyList<Assessment> closestFirst)
    {
        if (closestFirst.Count == 0)
        {
            return [$"no ChangeApproval targets {kind.Kind} {request.Namespace}/{request.Name}; request one: {RequestCommand(request, kind, policy)}"];
        }
        var warnings = new string[closestFirst.Count];
        for (var i = 0; i < warnings.Length; i++)
        {
            warnings[i] = $"ChangeApproval {request.Namespace}/{closestFirst[i].Approval.Name}: {string.Join("; ", closestFirst[i].Problems)}";
        }
        return warnings;
    }

    public static string RequestCommand(AdmissionInput request, WorkloadKind kind, AdmissionPolicy policy)
    {
        var resource = kind.Group.Length == 0 ? kind.Kind.ToLowerInvariant() : kind.Group == "apps" ? kind.Kind.ToLowerInvariant() : $"{kind.Kind.ToLowerInvariant()}.{kind.Group}";
        var op = request.Operation switch
        {
            Operation.Delete => " --operation DELETE",
            _ => "",
        };
        // An exact change is requested from the manifest it applies (contract 2.5); a DELETE binds the live object.
        var manifest = policy.RequireExactChange && request.Operation != Operation.Delete ? " -f <manifest>" : "";
        return $"kubectl change request {resource}/{request.Name} -n {request.Namespace}{manifest}{op} --reason \"<why>\"";
    }
}
