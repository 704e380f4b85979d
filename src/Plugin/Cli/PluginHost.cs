using Admission.Kubernetes;
using Admission.Plugin.Kube;

namespace Admission.Plugin.Cli;

/// <summary>Everything a command touches outside itself, so tests can run commands in-process.</summary>
public sealed class PluginHost
{
    public required TextWriter Out { get; init; }
    public required TextWriter Err { get; init; }
    public required IClusterConnector Connector { get; init; }
    public TimeProvider Clock { get; init; } = TimeProvider.System;
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
    public Func<string> NameSuffix { get; init; } = RandomSuffix;

    /// <summary>Where a confirmation is read from; null when there is no one to ask (then --yes is needed).</summary>
    public TextReader? In { get; init; }

    /// <summary>Set to a username to write it instead of the one SelfSubjectReview returns (see docs).</summary>
    public const string UserOverrideVariable = "KUBECTL_CHANGE_USER";

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Five characters of [a-z0-9], as kube-apiserver's generateName uses.</summary>
    public static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(5, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(alphabet.Length)];
        });
    }

    /// <summary>
    /// Who the caller is: SelfSubjectReview, unless KUBECTL_CHANGE_USER names someone (for clusters
    /// that do not serve SelfSubjectReview; the webhook still checks it against who you are).
    /// </summary>
    public async Task<Identity> WhoAmIAsync(IClusterClient client, CancellationToken cancellationToken)
    {
        var forced = Environment(UserOverrideVariable);
        if (!string.IsNullOrEmpty(forced))
        {
            try
            {
                var real = await client.WhoAmIAsync(cancellationToken).ConfigureAwait(false);
                return new Identity(forced, real.Groups);
            }
            catch (KubernetesApiException)
            {
                return new Identity(forced, []);
            }
        }
        Identity identity;
        try
        {
            identity = await client.WhoAmIAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound || e.IsMethodNotAllowed)
        {
            throw new CommandFailedException(
                $"error: the API server did not say who you are (SelfSubjectReview: {e.StatusLine}; it needs Kubernetes 1.28 or later); " +
                $"set {UserOverrideVariable} to your username and try again.");
        }
        if (string.IsNullOrEmpty(identity.Username))
        {
            throw new KubernetesApiException(200, "NoUsername", $"the API server did not say who you are (SelfSubjectReview returned no username); set {UserOverrideVariable}");
        }
        return identity;
    }

    public void Warn(IEnumerable<string> warnings)
    {
        foreach (var w in warnings)
        {
            Err.WriteLine("Warning: " + w);
        }
    }

    public void WarnPolicy(LoadedPolicy policy)
    {
        if (policy.Warning is { } w) Err.WriteLine("Warning: " + w);
    }

    public static string Qualified(string name) => $"changeapproval.{Policies.Model.ChangeApproval.Group}/{name}";

    public static string ApprovalsSummary(Policies.Model.ChangeApproval approval, int required)
    {
        var counted = approval.CountedApprovers();
        return counted.Count == 0 ? $"0 of {required} approvals" : $"{counted.Count} of {required} approvals ({string.Join(", ", counted)})";
    }

    public static string Operations(Policies.Model.ChangeApproval approval) =>
        string.Join(", ", approval.Operations.Select(Policies.Operations.ToWire));

    public static string Describe(Policies.Model.ChangeApproval approval) =>
        $"{approval.Target.Kind} {approval.Namespace}/{approval.Target.Name}";

    internal static string Rfc3339(DateTimeOffset t) => Durations.Rfc3339(t);
}
