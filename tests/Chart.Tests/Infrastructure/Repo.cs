namespace Admission.Chart.Tests.Infrastructure;

/// <summary>Paths in the repository, found from the test's working folder.</summary>
internal static class Repo
{
    /// <summary>The folder holding Admission.sln.</summary>
    public static string Root => Admission.Tests.Shared.Repository.Root;

    public static string ChartDir => Path.Combine(Root, "charts", "admission");

    /// <summary>Test values files, in tests/Chart.Tests/values.</summary>
    public static string ValuesFile(string name) => Path.Combine(Root, "tests", "Chart.Tests", "values", name);

    public static string PathOf(params string[] parts) => Admission.Tests.Shared.Repository.PathOf(parts);

    /// <summary>The helm binary: .tools/bin/helm in the repository, else helm on PATH.</summary>
    public static string Helm => Admission.Tests.Shared.Repository.Helm;
}
