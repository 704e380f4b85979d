using System.Diagnostics;

namespace Admission.Policies.Tests.Purity;

/// <summary>
/// The engine's purity is enforced by BannedApiAnalyzers (src/Policies/Purity.props), not by
/// review. This builds a throwaway project with that same configuration and one file per
/// forbidden kind of call, and checks that the build fails with RS0030 on each of them, and only
/// on them: a pure file in the same project compiles clean.
/// </summary>
public sealed class PurityAnalyzerTests
{
    private static readonly Dictionary<string, string> Violations = new()
    {
        ["Clock.cs"] = "public static class Clock { public static System.DateTime Now() => System.DateTime.UtcNow; }",
        ["Files.cs"] = "public static class Files { public static string Read() => System.IO.File.ReadAllText(\"policy.yaml\"); }",
        ["Network.cs"] = "public static class Network { public static object Client() => new System.Net.Http.HttpClient(); }",
        ["Kubernetes.cs"] = "public static class Kubernetes { public static object Pod() => new k8s.Models.V1Pod(); }",
        ["AspNet.cs"] = "public static class AspNet { public static object Ok() => Microsoft.AspNetCore.Http.Results.Ok(); }",
    };

    private const string PureFile =
        "public static class Pure { public static System.DateTimeOffset At(string s) => System.DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture); }";

    [Fact]
    public void The_analyzer_fails_the_build_on_each_forbidden_call_and_passes_pure_code()
    {
        var dir = Directory.CreateTempSubdirectory("purity-");
        try
        {
            var props = RepoPaths.Get("src", "Policies", "Purity.props");
            File.WriteAllText(Path.Combine(dir.FullName, "Violations.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <OutputType>Library</OutputType>
                  </PropertyGroup>
                  <Import Project="{props}" />
                  <ItemGroup>
                    <FrameworkReference Include="Microsoft.AspNetCore.App" />
                    <PackageReference Include="KubernetesClient" Version="{KubernetesClientVersion()}" />
                  </ItemGroup>
                </Project>
                """);
            foreach (var (name, text) in Violations)
            {
                File.WriteAllText(Path.Combine(dir.FullName, name), text);
            }
            File.WriteAllText(Path.Combine(dir.FullName, "Pure.cs"), PureFile);

            var (exit, output) = Build(dir.FullName);

            Assert.NotEqual(0, exit);
            var banned = output.Split('\n').Where(l => l.Contains("RS0030", StringComparison.Ordinal)).ToList();
            foreach (var name in Violations.Keys)
            {
                Assert.True(banned.Exists(l => l.Contains(name, StringComparison.Ordinal)),
                    $"no RS0030 for {name}; build output:\n{output}");
            }
            Assert.DoesNotContain(banned, l => l.Contains("Pure.cs", StringComparison.Ordinal));
            // Nothing else broke the build: every error is the analyzer's.
            Assert.DoesNotContain(output.Split('\n'), l => l.Contains("error CS", StringComparison.Ordinal));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string KubernetesClientVersion()
    {
        var csproj = File.ReadAllText(RepoPaths.Get("src", "Operator", "Admission.Operator.csproj"));
        var match = System.Text.RegularExpressions.Regex.Match(csproj, "Include=\"KubernetesClient\" Version=\"([^\"]+)\"");
        Assert.True(match.Success, "the operator references KubernetesClient");
        return match.Groups[1].Value;
    }

    private static (int Exit, string Output) Build(string dir)
    {
        var start = new ProcessStartInfo("dotnet", ["build", dir, "--nologo", "-v", "q", "-clp:NoSummary"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(4)), "dotnet build did not finish in 4 minutes");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
