namespace Admission.Policies.Tests;

/// <summary>
/// Finds files of the repository (config/, examples/, test data beside the tests) from wherever
/// the test assembly runs, by walking up from its folder to the one holding Admission.sln.
/// </summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The repository's root folder (the one containing Admission.sln).</summary>
    public static string Root => RootPath.Value;

    /// <summary>A path inside the repository, from its parts relative to the root.</summary>
    public static string Get(params string[] relativeParts) => Path.Combine([Root, .. relativeParts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Admission.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Admission.sln in {AppContext.BaseDirectory} or any folder above it.");
    }
}
