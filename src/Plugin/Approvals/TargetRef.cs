using System.Text.RegularExpressions;
using Admission.Plugin.Kube;
using Admission.Policies;

namespace Admission.Plugin.Approvals;

/// <summary>The workload a command is about, written as kubectl writes it: <c>deployment/checkout</c>.</summary>
public sealed partial record TargetRef(string Group, string Version, string Kind, string Name)
{
    private static readonly (string[] Names, string Kind)[] AppsAliases =
    [
        (["deployment", "deployments", "deploy"], "Deployment"),
        (["statefulset", "statefulsets", "sts"], "StatefulSet"),
        (["daemonset", "daemonsets", "ds"], "DaemonSet"),
    ];

    public string Plural => new WorkloadKind(Group, Kind).Plural;

    public ApiResource Resource => new(Group, Version, Plural);

    /// <summary>How kubectl and the engine's request hint write it: <c>deployment/checkout</c>, <c>rollout.argoproj.io/x</c>.</summary>
    public string Display => (Group.Length == 0 || Group == "apps" ? Kind.ToLowerInvariant() : Kind.ToLowerInvariant() + "." + Group) + "/" + Name;

    /// <summary>KIND/NAME with a valid name; which kinds are known needs the policy, this does not.</summary>
    public static (string Kind, string Name) CheckSyntax(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1 || text.IndexOf('/', slash + 1) >= 0)
        {
            throw new UsageException($"\"{text}\" is not KIND/NAME (for example deployment/checkout)");
        }
        var name = text[(slash + 1)..];
        if (!NamePattern().IsMatch(name))
        {
            throw new UsageException($"\"{name}\" is not a valid object name (lower-case letters, digits, '-' and '.')");
        }
        return (text[..slash], name);
    }

    /// <summary>
    /// Accepts <c>KIND/NAME</c> where KIND is deployment/deploy/statefulset/sts/daemonset/ds
    /// (singular or plural, any case), <c>kind.group</c> (<c>deployment.apps</c>,
    /// <c>rollout.argoproj.io</c>), <c>kind.version.group</c>, or a kind the policy guards.
    /// </summary>
    public static TargetRef Parse(string text, AdmissionPolicy policy)
    {
        var (kindText, name) = CheckSyntax(text);
        string? group = null;
        string? version = null;
        var resource = kindText;
        var dot = kindText.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            resource = kindText[..dot];
            group = kindText[(dot + 1)..];
            var nextDot = group.IndexOf('.', StringComparison.Ordinal);
            var first = nextDot < 0 ? group : group[..nextDot];
            if (VersionPattern().IsMatch(first))
            {
                version = first;
                group = nextDot < 0 ? "" : group[(nextDot + 1)..];
            }
        }
        var lower = resource.ToLowerInvariant();

        if (group is null or "apps")
        {
            foreach (var (names, kind) in AppsAliases)
            {
                if (names.Contains(lower)) return new TargetRef("apps", version ?? "v1", kind, name);
            }
        }
        var guarded = policy.WorkloadKinds
            .Where(k => (group is null || k.Group == group) && (k.Kind.Equals(resource, StringComparison.OrdinalIgnoreCase) || k.Plural == lower))
            .ToList();
        if (guarded.Count == 1)
        {
            return new TargetRef(guarded[0].Group, version ?? "v1", guarded[0].Kind, name);
        }
        if (group is not null && char.IsAsciiLetterUpper(resource[0]) && resource.All(char.IsAsciiLetterOrDigit))
        {
            return new TargetRef(group, version ?? "v1", resource, name);
        }
        throw new UsageException(
            $"unknown kind \"{kindText}\": use deployment, statefulset or daemonset (or deploy, sts, ds), a kind the policy guards " +
            $"({string.Join(", ", policy.WorkloadKinds)}), or Kind.group such as Rollout.argoproj.io");
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^v[0-9]+((alpha|beta)[0-9]+)?$")]
    private static partial Regex VersionPattern();
}

/// <summary>A mistake in the command line; reported with a pointer to --help, exit status 2.</summary>
public sealed class UsageException : Exception
{
    public UsageException() { }

    public UsageException(string message) : base(message) { }

    public UsageException(string message, Exception innerException) : base(message, innerException) { }
}
