namespace Admission.TestApiServer.CustomResources;

/// <summary>The repository's config/crd folder, found by walking up from the test assembly to Admission.sln.</summary>
internal static class RepositoryCrds
{
    private static readonly Lazy<string?> Folder = new(() =>
        global::Admission.Tests.Shared.Repository.TryFindRoot() is { } root && Directory.Exists(Path.Combine(root, "config", "crd"))
            ? Path.Combine(root, "config", "crd") : null);

    public static string? Find() => Folder.Value;
}
