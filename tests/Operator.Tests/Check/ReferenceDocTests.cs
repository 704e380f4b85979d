namespace Admission.Operator.Tests.Check;

/// <summary>docs/reference.md names every option the programs take and every key the policy reads, so it cannot fall behind them.</summary>
public sealed partial class ReferenceDocTests
{
    [GeneratedRegex(@"^\s+(?:-\w, )?(--[a-z][a-z0-9-]*)", RegexOptions.Multiline)]
    private static partial Regex HelpOption();

    private static readonly string Reference = File.ReadAllText(Path.Combine(Repo.Root, "docs", "reference.md"));

    [Theory]
    [InlineData("check")]
    [InlineData("serve")]
    [InlineData("uninstall")]
    public async Task Every_option_of_the_command_is_in_the_reference(string command)
    {
        var help = await AdmissionCli.RunAsync(command, "--help");
        var options = HelpOption().Matches(help.Stdout).Select(m => m.Groups[1].Value).Where(o => o != "--help").Distinct().ToList();
        Assert.NotEmpty(options);
        Assert.All(options, o => Assert.True(Regex.IsMatch(Reference, $@"(?<![\w-]){Regex.Escape(o)}(?![\w-])"), $"docs/reference.md does not name {command} {o}"));
    }

    [Fact]
    public void Every_key_of_the_example_policy_is_in_the_reference()
    {
        var keys = Regex.Matches(File.ReadAllText(Repo.Example("policy.yaml")), @"^([a-zA-Z0-9]+):", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).Where(k => k is not ("apiVersion" or "kind")).ToList();
        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.True(Reference.Contains($"`{k}", StringComparison.Ordinal), $"docs/reference.md does not describe {k}"));
    }
}
