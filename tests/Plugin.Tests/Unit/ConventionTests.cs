namespace Admission.Plugin.Tests.Unit;

/// <summary>The plugin is "kubectl change" as people type it, with the project's one version and -h/--help only.</summary>
public partial class ConventionTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 6, 9, 0, 0, TimeSpan.Zero);

    [GeneratedRegex(@"<Version>([^<]+)</Version>")]
    private static partial Regex PropsVersion();

    [Theory]
    [InlineData]
    [InlineData("request")]
    [InlineData("approve")]
    public async Task Usage_says_kubectl_change_and_help_has_no_question_mark(params string[] command)
    {
        var result = await Run.RunAsync(new FakeCluster(Now), "carol", [.. command, "--help"]);
        Assert.True(result.Exit == 0, result.ToString());
        var usage = result.Out.Split('\n').SkipWhile(l => l != "Usage:").Skip(1).First().Trim();
        Assert.StartsWith(string.Join(' ', ["kubectl change", .. command]), usage, StringComparison.Ordinal);
        Assert.DoesNotContain("kubectl-change", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("-?", result.Out, StringComparison.Ordinal);
        // "-?" is no option (a command taking a NAME would take it as the name, so ask list).
        var question = await Run.RunAsync(new FakeCluster(Now), "carol", "list", "-?");
        Assert.Equal(2, question.Exit);
        Assert.Contains("'-?'", question.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_is_the_projects()
    {
        var version = PropsVersion().Match(File.ReadAllText(Path.Combine(RepoPaths.Root, "Directory.Build.props"))).Groups[1].Value;
        var result = await Run.RunAsync(new FakeCluster(Now), "carol", "--version");
        Assert.Equal(0, result.Exit);
        Assert.Equal(version, result.Out.Trim());
    }

    [Fact]
    public async Task Completion_for_kubectl_speaks_cobras_format()
    {
        var script = await Run.RunAsync(new FakeCluster(Now), "carol", "completion", "kubectl");
        Assert.Equal(0, script.Exit);
        Assert.Contains("kubectl-change __complete -- \"$@\"", script.Out, StringComparison.Ordinal);
        Assert.Contains("echo :4", script.Out, StringComparison.Ordinal);

        var words = await Run.RunAsync(new FakeCluster(Now), "carol", "__complete", "--", "req");
        Assert.Equal(0, words.Exit);
        Assert.Equal(["request"], words.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
