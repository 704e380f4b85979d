namespace Admission.Chart.Tests.Infrastructure;

/// <summary>Paths in the repository, found from the test's working folder.</summary>
internal static class Repo
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);
    private static readonly Lazy<string> LazyHelm = new(FindHelm);

    /// <summary>The folder holding Admission.sln.</summary>
    public static string Root => LazyRoot.Value;

    public static string ChartDir => Path.Combine(Root, "charts", "admission");

    /// <summary>Test values files, in tests/Chart.Tests/values.</summary>
    public static string ValuesFile(string name) => Path.Combine(Root, "tests", "Chart.Tests", "values", name);

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The helm binary: .tools/bin/helm in the repository, else helm on PATH.</summary>
    public static string Helm => LazyHelm.Value;

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Admission.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException(
            $"Cannot find the repository root (a folder holding Admission.sln) above {AppContext.BaseDirectory}.");
    }

    private static string FindHelm()
    {
        var local = Path.Combine(Root, ".tools", "bin", "helm");
        if (File.Exists(local))
        {
            return local;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "helm");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "The helm binary was not found at .tools/bin/helm nor on PATH. "
            + "Install it with `bash .ci/install-helm.sh` (from the repository root) and run the tests again.");
    }
}
