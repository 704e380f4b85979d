using System.Text.Json;
using Admission.Kubernetes;
using Admission.Plugin.Kube;
using Admission.Policies;

namespace Admission.Plugin.Approvals;

/// <summary>The policy a command explains decisions with, and where it came from.</summary>
public sealed record LoadedPolicy(AdmissionPolicy Policy, string Source, string? Warning = null)
{
    /// <summary>The defaults, because the cluster's policy could not be read: not evidence of what the webhook enforces.</summary>
    public bool IsFallback { get; init; }

    /// <summary>The policy when it is the one the webhook uses (from --policy or the cluster), else null.</summary>
    public AdmissionPolicy? Known => IsFallback ? null : Policy;
}

/// <summary>
/// Where the plugin finds the policy: <c>--policy FILE</c>; else the ConfigMap the Helm chart
/// installs (<c>admission-system/admission-policy</c>, key <c>policy.yaml</c>, or whatever
/// <c>--policy-configmap NAMESPACE/NAME</c> names) when the caller may read it; else the defaults.
/// </summary>
public static class PolicySource
{
    public const string DefaultConfigMap = "admission-system/admission-policy";
    public const string Key = "policy.yaml";

    public static async Task<LoadedPolicy> LoadAsync(string? file, string configMap, IClusterClient client, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(file))
        {
            string text;
            try
            {
                text = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--policy {file}: cannot be read: {e.Message}");
            }
            try
            {
                return new LoadedPolicy(PolicyParser.Parse(text, file), file);
            }
            catch (InputException e)
            {
                throw new UsageException($"--policy {file} is not a valid policy:\n{string.Join("\n", e.Errors)}");
            }
        }

        var slash = configMap.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == configMap.Length - 1)
        {
            throw new UsageException($"--policy-configmap \"{configMap}\" is not NAMESPACE/NAME");
        }
        var (ns, name) = (configMap[..slash], configMap[(slash + 1)..]);
        var where = $"ConfigMap {configMap}";
        JsonElement? cm;
        try
        {
            cm = await client.GetAsync(ApiResource.ConfigMaps, ns, name, cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsUnauthorized || e.IsForbidden || e.IsNotFound)
        {
            return new LoadedPolicy(AdmissionPolicy.Default, $"the defaults ({where} is not readable: {e.Reason})") { IsFallback = true };
        }
        if (cm is not { } found)
        {
            return new LoadedPolicy(AdmissionPolicy.Default, $"the defaults ({where} does not exist)") { IsFallback = true };
        }
        if (!found.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object ||
            !data.TryGetProperty(Key, out var yaml) || yaml.ValueKind != JsonValueKind.String)
        {
            return new LoadedPolicy(AdmissionPolicy.Default, $"the defaults ({where} has no key {Key})") { IsFallback = true };
        }
        try
        {
            return new LoadedPolicy(PolicyParser.Parse(yaml.GetString()!, $"{where} {Key}"), $"{where} ({Key})");
        }
        catch (InputException e)
        {
            return new LoadedPolicy(AdmissionPolicy.Default, $"the defaults ({where} is not a valid policy)",
                $"{where} holds an invalid policy, so the defaults are shown: {string.Join("; ", e.Errors)}") { IsFallback = true };
        }
    }
}
