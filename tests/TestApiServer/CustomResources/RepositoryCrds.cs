namespace Admission.TestApiServer.CustomResources;

/// <summary>The repository's config/crd folder, found by walking up from the test assembly to Admission.sln.</summary>
internal static class RepositoryCrds
{
    private static readonly Lazy<string?> Folder = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Admission.sln")))
            {
                var crds = Path.Combine(dir.FullName, "config", "crd");
                return Directory.Exists(crds) ? crds : null;
            }
        }

        return null;
    });

    public static string? Find() => Folder.Value;
}
