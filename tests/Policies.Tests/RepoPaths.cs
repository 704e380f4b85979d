namespace Admission.Policies.Tests;

/// <summary>
/// Finds files of the repository (config/, examples/, test data beside the tests) from wherever
/// the test assembly runs, by walking up from its folder to the one holding Admission.sln.
/// </summary>
internal static class RepoPaths
{
    /// <summary>The repository's root folder (the one containing Admission.sln).</summary>
    public static string Root => Admission.Tests.Shared.Repository.Root;

    /// <summary>A path inside the repository, from its parts relative to the root.</summary>
    public static string Get(params string[] relativeParts) => Admission.Tests.Shared.Repository.PathOf(relativeParts);
}
