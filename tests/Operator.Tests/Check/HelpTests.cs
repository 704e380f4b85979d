namespace Admission.Operator.Tests.Check;

/// <summary>Contract section 6: <c>admission --help</c> and <c>admission COMMAND --help</c> describe every option.</summary>
public sealed class HelpTests
{
    [Fact]
    public async Task Admission_help_lists_the_commands()
    {
        var result = await AdmissionCli.RunAsync("--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var said in new[] { "check", "serve", "Decide offline", "validating admission webhook" })
        {
            Assert.Contains(said, result.Stdout, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string, string> Options => new()
    {
        { "check", "-f, --filename" },
        { "check", "--approvals" },
        { "check", "--policy" },
        { "check", "--user" },
        { "check", "--group" },
        { "check", "--operation <CREATE|DELETE|UPDATE>" },
        { "check", "--now" },
        { "check", "-n, --namespace" },
        { "check", "-o, --output <json|text>" },
        { "serve", "--approvals" },
        { "serve", "--kubeconfig" },
        { "serve", "--listen" },
        { "serve", "--tls-cert" },
        { "serve", "--tls-key" },
        { "serve", "--tls-dir" },
        { "serve", "--dns-name" },
        { "serve", "--policy" },
    };

    private static readonly Dictionary<string, Task<CliResult>> Help = new();

    [Theory]
    [MemberData(nameof(Options))]
    public async Task Command_help_describes_each_option(string command, string option)
    {
        Task<CliResult> help;
        lock (Help)
        {
            if (!Help.TryGetValue(command, out help!)) Help[command] = help = AdmissionCli.RunAsync(command, "--help");
        }
        var result = await help;
        Assert.Equal(0, result.ExitCode);
        var line = result.Stdout.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith(option, StringComparison.Ordinal));
        Assert.True(line is not null, $"admission {command} --help does not list {option}:\n{result.Stdout}");
        var description = line![(line.IndexOf(option, StringComparison.Ordinal) + option.Length)..].Trim();
        Assert.True(description.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 2, $"{option} has no description: {line}");
    }
}
