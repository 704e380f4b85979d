namespace Admission.Operator.Tests.Check;

/// <summary>
/// The README's quick start and walk-through, run exactly as printed: their fenced <c>sh</c>
/// blocks, in order, in one bash from the repository's root, and every line the README shows as
/// output (<c># …</c> under a command) must be printed. The README cannot drift from the program.
/// </summary>
public sealed class ReadmeTests
{
    /// <summary>The sections whose commands are run; the pipeline and cluster ones need what a newcomer has not got.</summary>
    private static readonly string[] RunSections = ["Quick start", "`admission check`: the same decisions, offline", "Walk through every outcome"];

    public static List<(string Section, string Code)> Blocks(string markdown)
    {
        var blocks = new List<(string, string)>();
        string section = "";
        StringBuilder? code = null;
        foreach (var line in markdown.Split('\n'))
        {
            if (code is null && line.StartsWith('#'))
            {
                section = line.TrimStart('#').Trim();
            }
            else if (code is null && line.TrimEnd() == "```sh")
            {
                code = new StringBuilder();
            }
            else if (code is not null && line.TrimEnd() == "```")
            {
                blocks.Add((section, code.ToString()));
                code = null;
            }
            else
            {
                code?.Append(line).Append('\n');
            }
        }
        return blocks;
    }

    [Fact]
    public void The_run_sections_are_there_and_hold_commands()
    {
        var blocks = Blocks(File.ReadAllText(Path.Combine(Repo.Root, "README.md")));
        foreach (var section in RunSections)
        {
            Assert.Contains(blocks, b => b.Section == section);
        }
    }

    [Fact]
    public async Task Quick_start_and_walk_through_run_as_printed()
    {
        var blocks = Blocks(await File.ReadAllTextAsync(Path.Combine(Repo.Root, "README.md")))
            .Where(b => RunSections.Contains(b.Section)).Select(b => b.Code).ToList();
        // Not part of the README: whatever happens, the background server does not outlive the test.
        var script = "trap 'kill $(jobs -p) 2>/dev/null' EXIT\n" + string.Join("\n", blocks);
        var expected = blocks.SelectMany(b => b.Split('\n')).Where(l => l.StartsWith("# ", StringComparison.Ordinal))
            .Select(l => l[2..]).Where(l => !l.StartsWith("or,", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(expected);

        var info = new ProcessStartInfo("bash", ["-c", script])
        {
            WorkingDirectory = Repo.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment.Remove("KUBERNETES_SERVICE_HOST");
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var bash = Process.Start(info)!;
        var stdout = bash.StandardOutput.ReadToEndAsync();
        var stderr = bash.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await bash.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            bash.Kill(entireProcessTree: true);
            throw;
        }
        var output = await stdout;
        var errors = await stderr;
        var report = $"exit {bash.ExitCode}\n--- stdout\n{output}\n--- stderr\n{errors}";
        Assert.True(bash.ExitCode == 0, report);
        Assert.DoesNotContain("command not found", errors, StringComparison.Ordinal);
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToHashSet(StringComparer.Ordinal);
        foreach (var line in expected)
        {
            Assert.True(lines.Contains(line), $"the README shows \"{line}\", the commands did not print it:\n{report}");
        }
    }
}
