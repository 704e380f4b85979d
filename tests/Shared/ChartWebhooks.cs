using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Admission.Policies;
using Admission.Policies.Manifests;

namespace Admission.Tests.Shared;

/// <summary>
/// The ValidatingWebhookConfiguration exactly as the Helm chart renders it, with each webhook's
/// clientConfig pointed at a webhook on loopback. End-to-end tests register this, not a copy, so
/// the chart's rules, selectors, failurePolicy and timeouts are the ones the test API server obeys.
/// </summary>
public static class ChartWebhooks
{
    public const string ReleaseNamespace = "admission-system";

    public static JsonObject Render(string url, string caPem)
    {
        var manifest = Template(["templates/validatingwebhookconfiguration.yaml"]).Single(m => m.Kind == "ValidatingWebhookConfiguration");
        var config = JsonNode.Parse(manifest.Object.GetRawText())!.AsObject();
        foreach (var webhook in config["webhooks"]!.AsArray())
        {
            var clientConfig = new JsonObject { ["url"] = url };
            // Without a CA, as in the chart's `self` mode: the operator writes the caBundle.
            if (caPem.Length > 0) clientConfig["caBundle"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(caPem));
            webhook!["clientConfig"] = clientConfig;
        }
        return config;
    }

    /// <summary>
    /// The manifests `helm template` renders from the chart with default values (release
    /// "admission" in admission-system), only the templates named; a failure to render or to read
    /// them throws, naming what helm or the parser said.
    /// </summary>
    internal static IReadOnlyList<Manifest> Template(IEnumerable<string> showOnly)
    {
        var root = RepoRoot();
        var start = new ProcessStartInfo(Helm(root)) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "template", "admission", Path.Combine(root, "charts", "admission"), "--namespace", ReleaseNamespace })
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var template in showOnly)
        {
            start.ArgumentList.Add("--show-only");
            start.ArgumentList.Add(template);
        }
        using var helm = Process.Start(start)!;
        var stdout = helm.StandardOutput.ReadToEndAsync();
        var stderr = helm.StandardError.ReadToEnd();
        helm.WaitForExit();
        if (helm.ExitCode != 0) throw new InvalidOperationException($"helm template failed: {stderr}");

        var errors = new List<InputError>();
        var manifests = ManifestParser.Read(stdout.Result, "helm template", ReleaseNamespace, errors).ToList();
        if (errors.Count > 0) throw new InvalidOperationException(string.Join("\n", errors));
        return manifests;
    }

    internal static string RepoRoot() => Repository.Root;

    internal static string Helm(string root) => Repository.Helm;
}
