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
        var root = RepoRoot();
        var start = new ProcessStartInfo(Helm(root)) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "template", "admission", Path.Combine(root, "charts", "admission"), "--namespace", ReleaseNamespace,
                     "--show-only", "templates/validatingwebhookconfiguration.yaml" })
        {
            start.ArgumentList.Add(arg);
        }
        using var helm = Process.Start(start)!;
        var stdout = helm.StandardOutput.ReadToEndAsync();
        var stderr = helm.StandardError.ReadToEnd();
        helm.WaitForExit();
        if (helm.ExitCode != 0) throw new InvalidOperationException($"helm template failed: {stderr}");

        var errors = new List<InputError>();
        var manifest = ManifestParser.Read(stdout.Result, "helm template", "default", errors)
            .Single(m => m.Kind == "ValidatingWebhookConfiguration");
        if (errors.Count > 0) throw new InvalidOperationException(string.Join("\n", errors));
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

    internal static string RepoRoot() => Repository.Root;

    internal static string Helm(string root) => Repository.Helm;
}
