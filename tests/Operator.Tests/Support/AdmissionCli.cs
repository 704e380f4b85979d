using Admission.Tests.Shared;

namespace Admission.Operator.Tests.Support;

/// <summary>What a finished <c>admission</c> process left behind.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary><c>check</c>'s text output without the indented message and warning lines: one line per object.</summary>
    public string[] ObjectLines => [.. Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith(' ')).Select(l => l.TrimEnd('\r'))];

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the built <c>admission</c> program as a real process. The test project references
/// src/Operator, so its output (admission.dll with its runtimeconfig and deps files) is copied
/// beside the test assembly and runs with <c>dotnet admission.dll</c>; the project's own bin
/// folder of the same configuration is the fallback.
/// </summary>
public static class AdmissionCli
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<string> Dll = new(FindDll);

    public static string AssemblyPath => Dll.Value;

    public static ProcessStartInfo StartInfo(IEnumerable<string> args, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Repo.Root,
        };
        info.ArgumentList.Add(AssemblyPath);
        foreach (var a in args) info.ArgumentList.Add(a);
        // Never let a test drift into cluster mode because the machine happens to be a pod.
        info.Environment.Remove("KUBERNETES_SERVICE_HOST");
        info.Environment.Remove("KUBERNETES_SERVICE_PORT");
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        return info;
    }

    public static async Task<CliResult> RunAsync(IEnumerable<string> args, string? stdin = null, string? workingDirectory = null)
    {
        using var process = Process.Start(StartInfo(args, workingDirectory))
            ?? throw new InvalidOperationException("could not start dotnet");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }
        process.StandardInput.Close();
        await ProcessExit.WaitOrKillAsync(process, Timeout,
            () => Task.FromResult($"admission {string.Join(' ', args)} did not finish within {Timeout}"));
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, null);

    private static string FindDll()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "admission.dll");
        if (File.Exists(beside) && File.Exists(Path.Combine(AppContext.BaseDirectory, "admission.runtimeconfig.json")))
        {
            return beside;
        }
        // bin/<Configuration>/<tfm>/ of the test assembly names the configuration to look for.
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfmDir.Parent?.Name ?? "Debug";
        var built = Path.Combine(Repo.Root, "src", "Operator", "bin", configuration, tfmDir.Name, "admission.dll");
        if (File.Exists(built)) return built;
        throw new FileNotFoundException($"admission.dll is neither beside the tests ({beside}) nor at {built}; build src/Operator first");
    }
}
