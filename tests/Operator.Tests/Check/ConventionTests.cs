namespace Admission.Operator.Tests.Check;

/// <summary>
/// What a newcomer meets before any decision: one version number everywhere, help as -h/--help
/// only, and shell completion that works.
/// </summary>
public sealed partial class ConventionTests
{
    [GeneratedRegex(@"<Version>([^<]+)</Version>")]
    private static partial Regex PropsVersion();

    public static string ProjectVersion => PropsVersion().Match(File.ReadAllText(Path.Combine(Repo.Root, "Directory.Build.props"))).Groups[1].Value;

    private static string Line(string file, string pattern) =>
        Regex.Match(File.ReadAllText(Path.Combine(Repo.Root, file)), pattern, RegexOptions.Multiline).Groups[1].Value;

    [Fact]
    public async Task One_version_across_program_chart_image_and_plugin_manifest()
    {
        var version = ProjectVersion;
        Assert.Matches(@"^\d+\.\d+\.\d+$", version);
        var program = await AdmissionCli.RunAsync("--version");
        Assert.Equal(0, program.ExitCode);
        Assert.Equal(version, program.Stdout.Trim());
        Assert.Equal(version, Line("charts/admission/Chart.yaml", @"^version: (\S+)$"));
        Assert.Equal(version, Line("charts/admission/Chart.yaml", @"^appVersion: ""([^""]+)""$"));
        // The image is tagged with the chart's appVersion when values leave image.tag empty.
        Assert.Equal("\"\"", Line("charts/admission/values.yaml", @"^  tag: (\S+)"));
        Assert.Equal(version, Line("Dockerfile", @"docker build -t admission:(\S+) \."));
        Assert.Equal("v" + version, Line("plugins/change.yaml", @"^  version: (\S+)$"));
    }

    [Fact]
    public async Task Help_is_h_or_help_and_question_mark_is_not_an_option()
    {
        var help = await AdmissionCli.RunAsync("--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("-h, --help", help.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("-?", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("admission [command] [options]", help.Stdout, StringComparison.Ordinal);
        var question = await AdmissionCli.RunAsync("check", "-?");
        Assert.Equal(2, question.ExitCode);
        Assert.Contains("'-?'", question.Stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string[], string[]> Completions => new()
    {
        // the words typed (the last is being completed), what must be offered
        { [""], ["check", "serve", "policy", "uninstall", "completion", "--help", "--version"] },
        { ["se"], ["serve"] },
        { ["check", "--ou"], ["--output"] },
        { ["check", "-o", ""], ["json", "text"] },
        { ["check", "--operation", ""], ["CREATE", "DELETE", "UPDATE"] },
        { ["serve", "--log-"], ["--log-format"] },
        { ["policy", ""], ["check"] },
    };

    [Theory]
    [MemberData(nameof(Completions))]
    public async Task Completion_offers_commands_options_and_values(string[] words, string[] offered)
    {
        var result = await AdmissionCli.RunAsync(["__complete", "--", .. words]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StdoutLines;
        foreach (var o in offered) Assert.Contains(o, lines);
        Assert.DoesNotContain("__complete", lines);
        Assert.All(lines, l => Assert.StartsWith(words[^1], l, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("bash")]
    [InlineData("zsh")]
    public async Task Completion_scripts_are_valid_for_their_shell(string shell)
    {
        var result = await AdmissionCli.RunAsync("completion", shell);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("admission __complete --", result.Stdout, StringComparison.Ordinal);
        if (shell == "zsh" && !OnPath("zsh")) return; // the script's text is still checked above
        using var dir = new TempDir();
        var script = dir.Write("completion." + shell, result.Stdout);
        var check = Process.Start(new ProcessStartInfo(shell, ["-n", script]) { RedirectStandardError = true })!;
        var errors = await check.StandardError.ReadToEndAsync();
        await check.WaitForExitAsync();
        Assert.True(check.ExitCode == 0, errors);
    }

    [Fact]
    public async Task The_bash_script_completes_through_the_program()
    {
        if (OperatingSystem.IsWindows()) return; // bash completion is for Unix shells
        // Sourced in bash with the program on PATH, as a user would: COMPREPLY holds what __complete said.
        using var dir = new TempDir();
        var bin = Directory.CreateDirectory(Path.Combine(dir.Path, "bin")).FullName;
        File.WriteAllText(Path.Combine(bin, "admission"), $"#!/bin/sh\nexec dotnet \"{AdmissionCli.AssemblyPath}\" \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(bin, "admission"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var script = (await AdmissionCli.RunAsync("completion", "bash")).Stdout;
        dir.Write("run.sh", script + "\nCOMP_WORDS=(admission check --ou); COMP_CWORD=2; _admission_complete; printf '%s\\n' \"${COMPREPLY[@]}\"\n");
        var info = new ProcessStartInfo("bash", [dir.File("run.sh")]) { RedirectStandardOutput = true };
        info.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        using var bash = Process.Start(info)!;
        var output = await bash.StandardOutput.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.Equal("--output", output.Trim());
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, program)));
}
