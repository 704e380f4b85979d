using System.Text.RegularExpressions;
using Admission.Tests.Shared;

namespace Admission.Kubernetes.Tests;

/// <summary>
/// src/Operator and src/Plugin reason about API errors only through this library's predicates:
/// a file there that reads an <c>HttpOperationException</c>'s status code itself, or builds its own
/// client configuration, fails here with the file and line.
/// </summary>
public sealed partial class EdgeUseTests
{
    [GeneratedRegex(@"\.Response\.StatusCode(?!\s*=[^=])")]
    private static partial Regex ResponseStatusCode();

    [GeneratedRegex(@"KubernetesClientConfiguration\.(BuildConfigFromConfigFile|InClusterConfig|BuildConfigFromConfigObject|LoadKubeConfig)")]
    private static partial Regex OwnClientSetup();

    [GeneratedRegex(@"class\s+(ClusterApiException|CoreGroupPathHandler|KubeconfigException)\b")]
    private static partial Regex OwnCopies();

    public static TheoryData<string, Regex> Rules => new()
    {
        { "compares an API answer's status code itself (ask ApiError.From(e).IsNotFound and the like)", ResponseStatusCode() },
        { "builds its own client configuration (use ClientSetup or KubeconfigFiles)", OwnClientSetup() },
        { "keeps its own copy of what src/Kubernetes holds", OwnCopies() },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void The_programs_use_the_shared_edge(string rule, Regex pattern)
    {
        var offences = new List<string>();
        foreach (var program in new[] { "Operator", "Plugin" })
        {
            var root = Repository.PathOf("src", program);
            foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
            {
                if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ||
                    file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
                var lines = File.ReadAllLines(file);
                for (var i = 0; i < lines.Length; i++)
                {
                    if (pattern.IsMatch(lines[i])) offences.Add($"{Path.GetRelativePath(Repository.Root, file)}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }
        Assert.True(offences.Count == 0, $"{rule}:\n{string.Join("\n", offences)}");
    }

    [Fact]
    public void The_check_sees_what_it_forbids()
    {
        Assert.Matches(ResponseStatusCode(), "catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)");
        Assert.Matches(ResponseStatusCode(), "$\"{(int)e.Response.StatusCode}\"");
        Assert.DoesNotMatch(ResponseStatusCode(), "context.Response.StatusCode = status;");
        Assert.Matches(OwnClientSetup(), "return KubernetesClientConfiguration.BuildConfigFromConfigFile(path);");
    }

    [Fact]
    public void The_engine_does_not_reference_the_edge()
    {
        var project = File.ReadAllText(Repository.PathOf("src", "Policies", "Admission.Policies.csproj"));
        Assert.DoesNotContain("Admission.Kubernetes.csproj", project, StringComparison.Ordinal);
        Assert.DoesNotContain("\"KubernetesClient\"", project, StringComparison.Ordinal);
        var edge = File.ReadAllText(Repository.PathOf("src", "Kubernetes", "Admission.Kubernetes.csproj"));
        Assert.DoesNotContain("AspNetCore", edge.Replace("never ASP.NET", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("Sdk=\"Microsoft.NET.Sdk.Web\"", edge, StringComparison.Ordinal);
    }
}
