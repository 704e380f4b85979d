namespace Admission.Chart.Tests.Infrastructure;

internal sealed record HelmResult(int ExitCode, string StdOut, string StdErr, string CommandLine)
{
    public string Describe() => $"`{CommandLine}` exited {ExitCode}\n--- stderr ---\n{StdErr}\n--- stdout ---\n{StdOut}";
}

/// <summary>Runs the real helm binary, isolated from the user's helm configuration.</summary>
internal static class HelmRunner
{
    public const string Namespace = "admission-system";
    public const string ReleaseName = "admission";

    private static readonly string HelmHome = Path.Combine(Path.GetTempPath(), "admission-chart-tests-helm");

    /// <summary>helm template with --include-crds, in the test namespace, with the given values files.</summary>
    public static HelmResult Template(params string[] valuesFiles)
    {
        var args = new List<string> { "template", ReleaseName, Repo.ChartDir, "--namespace", Namespace, "--include-crds" };
        foreach (var file in valuesFiles)
        {
            args.Add("--values");
            args.Add(file);
        }

        return Run(args);
    }

    /// <summary>helm lint --strict in the test namespace, with the given values files.</summary>
    public static HelmResult Lint(params string[] valuesFiles)
    {
        var args = new List<string> { "lint", Repo.ChartDir, "--strict", "--namespace", Namespace };
        foreach (var file in valuesFiles)
        {
            args.Add("--values");
            args.Add(file);
        }

        return Run(args);
    }

    /// <summary>Renders the chart with one <c>--set</c> the schema or a template must refuse; asserts it fails and returns what helm said.</summary>
    public static string RefusedSetting(string set)
    {
        var result = Run(["template", ReleaseName, Repo.ChartDir, "--namespace", Namespace, "--set", set]);
        Assert.True(result.ExitCode != 0, $"--set {set} was accepted: {result.Describe()}");
        return result.StdErr;
    }

    public static HelmResult Run(IReadOnlyList<string> args)
    {
        var psi = Tool.StartInfo(Repo.Helm, Repo.Root, args);

        // Keep helm away from the user's repositories, plugins and cache.
        psi.Environment["HELM_CACHE_HOME"] = Path.Combine(HelmHome, "cache");
        psi.Environment["HELM_CONFIG_HOME"] = Path.Combine(HelmHome, "config");
        psi.Environment["HELM_DATA_HOME"] = Path.Combine(HelmHome, "data");
        psi.Environment.Remove("KUBECONFIG");

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Cannot start {Repo.Helm}");
        return Tool.Finish(process, "helm", args);
    }
}
