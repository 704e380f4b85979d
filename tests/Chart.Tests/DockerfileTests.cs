using System.Xml.Linq;

namespace Admission.Chart.Tests;

/// <summary>The Dockerfile refers to files that exist and builds the image the chart runs.</summary>
public partial class DockerfileTests
{
    private static readonly Lazy<string> Dockerfile = new(() => File.ReadAllText(Repo.PathOf("Dockerfile")));

    /// <summary>Instructions with line continuations joined.</summary>
    private static List<string> Instructions() =>
        Dockerfile.Value.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n')
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    /// <summary>The one RUN instruction of <paramref name="command"/>; fails unless there is exactly one.</summary>
    private static string Run(string command) =>
        Assert.Single(Instructions(), l => l.StartsWith("RUN " + command, StringComparison.Ordinal));

    [Fact]
    public void It_publishes_the_operator_project_self_contained_with_an_app_host()
    {
        var publish = Run("dotnet publish");
        var project = PublishProject().Match(publish).Groups[1].Value;

        Assert.Equal("src/Operator/Admission.Operator.csproj", project);
        Assert.True(File.Exists(Repo.PathOf(project.Split('/'))), $"{project} does not exist");
        Assert.Contains("-c Release", publish, StringComparison.Ordinal);
        Assert.Contains("-o /app", publish, StringComparison.Ordinal);
        // The runtime-deps image has no .NET: the app must carry its runtime.
        Assert.Contains("--self-contained", publish, StringComparison.Ordinal);
        Assert.DoesNotContain("--no-self-contained", publish, StringComparison.Ordinal);
        Assert.Contains("-p:UseAppHost=true", publish, StringComparison.Ordinal);
    }

    /// <summary>
    /// The composite image compiles the framework assemblies serve loads together with the app, and
    /// which ones is in ReadyToRunComposite.targets, imported by the project: the restore layer copies
    /// the project files alone, so that file must be copied with them or the restore cannot read the
    /// project. Without the composite, ready takes about a fifth longer and a third more CPU
    /// (docs/performance.md, "Start-up").
    /// </summary>
    [Fact]
    public void It_publishes_one_composite_image_whose_assembly_list_the_restore_layer_has()
    {
        var publish = Run("dotnet publish");
        var restore = Run("dotnet restore");
        Assert.Contains("-p:PublishReadyToRunComposite=true", publish, StringComparison.Ordinal);
        // The runtime packs a self-contained publish needs come from this restore.
        Assert.Contains("-p:SelfContained=true", restore, StringComparison.Ordinal);

        var csproj = System.Xml.Linq.XDocument.Load(Repo.PathOf("src", "Operator", "Admission.Operator.csproj"));
        var imports = csproj.Descendants("Import").Select(e => e.Attribute("Project")!.Value).ToList();
        Assert.Contains("ReadyToRunComposite.targets", imports);
        var copies = Instructions().TakeWhile(l => l != restore).Where(l => l.StartsWith("COPY ", StringComparison.Ordinal)).ToList();
        foreach (var imported in imports)
        {
            Assert.Contains($"COPY src/Operator/{imported} src/Operator/", copies);
        }
        var targets = System.Xml.Linq.XDocument.Load(Repo.PathOf("src", "Operator", "ReadyToRunComposite.targets"));
        var listed = targets.Descendants("AdmissionCompositeFramework").Select(e => e.Attribute("Include")!.Value).ToList();
        Assert.Contains("System.Private.CoreLib.dll", listed);
        Assert.Contains("Microsoft.AspNetCore.Server.Kestrel.Core.dll", listed);
    }

    /// <summary>
    /// The image is what ships, so it is what starts fast: ReadyToRun needs a runtime identifier at
    /// publish, and the publish does not restore, so the restore must name the same identifier and
    /// ReadyToRun (or the publish fails for want of the restored runtime pack and compiler). The
    /// identifier comes from the target architecture BuildKit passes in, so one Dockerfile builds
    /// both amd64 and arm64 images; a fixed <c>-r linux-x64</c> would make an arm64 image that
    /// cannot start.
    /// </summary>
    [Fact]
    public void It_publishes_ReadyToRun_for_the_target_architecture_from_a_restore_for_the_same()
    {
        var publish = Run("dotnet publish");
        var restore = Run("dotnet restore");
        var build = Instructions().SkipWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();

        Assert.Contains("ARG TARGETARCH", build);
        Assert.True(build.IndexOf("ARG TARGETARCH") < build.IndexOf(restore), "ARG TARGETARCH must come before the restore");
        Assert.DoesNotContain("-r ", publish, StringComparison.Ordinal);
        foreach (var required in new[] { "-a $TARGETARCH", "-p:PublishReadyToRun=true" })
        {
            Assert.Contains(required, publish, StringComparison.Ordinal);
            Assert.Contains(required, restore, StringComparison.Ordinal);
        }
        Assert.Contains("--no-restore", publish, StringComparison.Ordinal);
    }

    [Fact]
    public void The_entrypoint_is_the_assembly_named_admission()
    {
        var csproj = XDocument.Load(Repo.PathOf("src", "Operator", "Admission.Operator.csproj"));
        var assemblyName = csproj.Descendants("AssemblyName").Select(e => e.Value).SingleOrDefault();

        Assert.Equal("admission", assemblyName);
        Assert.Contains($"ENTRYPOINT [\"/app/{assemblyName}\"]", Instructions());
        Assert.Contains("CMD [\"serve\"]", Instructions());
    }

    [Fact]
    public void It_builds_on_the_SDK_and_runs_on_the_chiseled_runtime_deps_as_the_charts_user()
    {
        var froms = Instructions().Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();

        Assert.Equal(2, froms.Count);
        // The SDK runs on the builder's platform and cross-compiles for the target's.
        Assert.StartsWith("FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 ", froms[0], StringComparison.Ordinal);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled", froms[1], StringComparison.Ordinal);
        var afterRuntime = Instructions().SkipWhile(l => l != froms[1]).ToList();
        Assert.Contains("USER 65532:65532", afterRuntime);
        Assert.Contains("COPY --from=build /app ./", afterRuntime);
        // No shell in the runtime image: no RUN after the last FROM.
        Assert.DoesNotContain(afterRuntime, l => l.StartsWith("RUN ", StringComparison.Ordinal));

        var deployment = RenderedChart.For(Scenario.Default).Single<k8s.Models.V1Deployment>();
        Assert.Equal(65532, deployment.Spec.Template.Spec.SecurityContext.RunAsUser);
    }

    [Fact]
    public void Every_file_the_build_copies_exists()
    {
        var copies = Instructions().Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal)).ToList();
        // With no COPY from the build context the loop below would check nothing and pass.
        Assert.NotEmpty(copies);
        Assert.Contains(copies, c => c.Contains("src/", StringComparison.Ordinal));
        foreach (var copy in copies)
        {
            var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var source in parts[1..^1])
            {
                var path = Repo.PathOf(source.TrimEnd('/').Split('/'));
                Assert.True(File.Exists(path) || Directory.Exists(path), $"{copy}: {source} does not exist");
            }
        }
    }

    /// <summary>
    /// The restore layer is built from project files alone, so it needs every project the operator
    /// references, directly or through another (src/Policies, src/Kubernetes): one missing fails
    /// the image's restore, which no test here runs.
    /// </summary>
    [Fact]
    public void The_restore_layer_copies_every_project_the_operator_build_needs()
    {
        var copied = Instructions().Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1])
            .Where(s => s.EndsWith(".csproj", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var needed = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(["src/Operator/Admission.Operator.csproj"]);
        while (pending.TryPop(out var project))
        {
            if (!needed.Add(project)) continue;
            var folder = Path.GetDirectoryName(project)!;
            foreach (var reference in XDocument.Load(Repo.PathOf(project.Split('/'))).Descendants("ProjectReference"))
            {
                var full = Path.GetFullPath(Path.Combine(Repo.PathOf(folder.Split('/')), reference.Attribute("Include")!.Value.Replace('\\', '/')));
                pending.Push(Path.GetRelativePath(Repo.Root, full).Replace('\\', '/'));
            }
        }
        Assert.Contains("src/Kubernetes/Admission.Kubernetes.csproj", needed);
        foreach (var project in needed)
        {
            Assert.True(copied.Contains(project), $"the Dockerfile restores without {project}: add COPY {project} {Path.GetDirectoryName(project)}/");
        }
    }

    [Fact]
    public void Dockerignore_excludes_build_output_git_and_tools()
    {
        var patterns = File.ReadAllLines(Repo.PathOf(".dockerignore")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        foreach (var required in new[] { "**/bin/", "**/obj/", ".git", ".tools", "tests/" })
        {
            Assert.Contains(required, patterns);
        }

        // Nothing the build copies is excluded.
        Assert.DoesNotContain(patterns, p => p is "src" or "src/" or "Directory.Build.props");
    }

    [GeneratedRegex(@"dotnet publish (\S+\.csproj)")]
    private static partial Regex PublishProject();
}
