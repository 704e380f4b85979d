namespace Admission.Tests.Shared;

/// <summary>
/// The repository the tests run from: its root (the folder holding Admission.sln, found by walking
/// up from the test assembly or the working folder) and the helm binary the chart tests use. Linked
/// into each test project that needs it; internal, so no two assemblies export it.
/// </summary>
internal static class Repository
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);
    private static readonly Lazy<string> LazyHelm = new(FindHelm);

    public static string Root => LazyRoot.Value;

    /// <summary>A path inside the repository, from its parts relative to the root.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The helm binary: .tools/bin/helm in the repository, else helm on PATH.</summary>
    public static string Helm => LazyHelm.Value;

    /// <summary>The root, or null when the tests run outside a checkout (a copied test assembly).</summary>
    public static string? TryFindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Admission.sln"))) return dir.FullName;
            }
        }
        return null;
    }

    private static string FindRoot() => TryFindRoot() ?? throw new InvalidOperationException(
        $"Cannot find the repository root (a folder holding Admission.sln) above {AppContext.BaseDirectory}.");

    private static string FindHelm()
    {
        var local = Path.Combine(Root, ".tools", "bin", "helm");
        if (File.Exists(local)) return local;
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "helm")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "The helm binary was not found at .tools/bin/helm nor on PATH. "
                + "Install it with `bash .ci/install-helm.sh` (from the repository root) and run the tests again.");
    }
}
