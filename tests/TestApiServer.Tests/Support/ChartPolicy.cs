namespace Admission.TestApiServer.Tests.Support;

/// <summary>The chart's ValidatingAdmissionPolicy and binding, rendered by the real helm, for seeding into a test server.</summary>
internal static class ChartPolicy
{
    private static readonly Lazy<IReadOnlyList<JsonObject>> Rendered = new(Render);

    public static IReadOnlyList<JsonObject> Objects => Rendered.Value;

    private static IReadOnlyList<JsonObject> Render()
    {
        var root = Path.GetDirectoryName(Path.GetDirectoryName(new TestApiServerOptions().CustomResourceDefinitions!))!;
        var helm = Path.Combine(root, ".tools", "bin", "helm");
        var psi = new ProcessStartInfo(File.Exists(helm) ? helm : "helm")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        foreach (var arg in new[] { "template", "admission", Path.Combine(root, "charts", "admission"), "--namespace", "admission-system",
                     "--show-only", "templates/validatingadmissionpolicy.yaml" })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["HELM_CACHE_HOME"] = Path.Combine(Path.GetTempPath(), "admission-helm", "cache");
        psi.Environment["HELM_CONFIG_HOME"] = Path.Combine(Path.GetTempPath(), "admission-helm", "config");
        psi.Environment["HELM_DATA_HOME"] = Path.Combine(Path.GetTempPath(), "admission-helm", "data");
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"helm template failed: {stderr.Result}");
        }

        var file = Path.Combine(Path.GetTempPath(), $"admission-vap-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, stdout.Result);
        try
        {
            return [.. YamlDocuments.Load(file).OfType<JsonObject>()];
        }
        finally
        {
            File.Delete(file);
        }
    }
}
