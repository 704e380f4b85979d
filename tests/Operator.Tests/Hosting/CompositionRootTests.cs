using Admission.Operator.Tests.Support;

namespace Admission.Operator.Tests.Hosting;

/// <summary>
/// serve's options are bound in one place: the process environment is read only through
/// <c>Cli/EnvironmentVariables.cs</c> (the binder and <c>uninstall</c> take it from there), and
/// nothing outside <c>Cli/</c> sees the command line. A new <c>GetEnvironmentVariable</c> or
/// <c>ParseResult</c> below the binder fails here, naming the file.
/// </summary>
public sealed class CompositionRootTests
{
    private static readonly string Operator = Path.Combine(Repo.Root, "src", "Operator");

    /// <summary>The one file that may read the process environment, and why.</summary>
    private static readonly Dictionary<string, string> EnvironmentReaders = new(StringComparer.Ordinal)
    {
        ["Cli/EnvironmentVariables.cs"] = "ProcessEnvironment, the real IEnvironmentVariables every command is given",
    };

    private static IEnumerable<(string Relative, string Text)> Sources() =>
        Directory.EnumerateFiles(Operator, "*.cs", SearchOption.AllDirectories)
            .Select(f => (Relative: Path.GetRelativePath(Operator, f).Replace('\\', '/'), File: f))
            .Where(f => !f.Relative.Split('/').Any(p => p is "bin" or "obj"))
            .Select(f => (f.Relative, File.ReadAllText(f.File)));

    [Fact]
    public void Only_the_environment_adapter_reads_the_process_environment()
    {
        var sources = Sources().ToList();
        Assert.Contains(sources, s => s.Relative == "Cli/ServeOptionsBinder.cs");
        foreach (var (relative, text) in sources)
        {
            if (EnvironmentReaders.ContainsKey(relative)) continue;
            Assert.False(text.Contains("GetEnvironmentVariable", StringComparison.Ordinal),
                $"src/Operator/{relative} reads the process environment; take the value from ServeOptions (bound by Cli/ServeOptionsBinder.cs) or an IEnvironmentVariables");
        }
        foreach (var reader in EnvironmentReaders.Keys)
        {
            Assert.Contains("GetEnvironmentVariable", File.ReadAllText(Path.Combine(Operator, reader)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Nothing_below_the_commands_reads_the_command_line()
    {
        foreach (var (relative, text) in Sources().Where(s => !s.Relative.StartsWith("Cli/", StringComparison.Ordinal) && s.Relative != "Program.cs"))
        {
            Assert.False(text.Contains("System.CommandLine", StringComparison.Ordinal) || text.Contains("ParseResult", StringComparison.Ordinal),
                $"src/Operator/{relative} reads the command line; serve's services take ServeOptions");
        }
    }
}
