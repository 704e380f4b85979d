namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>`admission uninstall` with wrong arguments: exit 2, one line naming the option, no stack trace, nothing touched.</summary>
public sealed class UninstallArgumentTests
{
    public static TheoryData<string[], string> Wrong => new()
    {
        { ["--kubeconfig", "/nonexistent/kubeconfig"], "error: --namespace: give the release's namespace (or set $POD_NAMESPACE)" },
        { ["--namespace", "admission-system", "--timeout", "soon"], "error: --timeout: \"soon\" is not a duration such as 120s" },
        { ["--namespace", "admission-system", "--kubeconfig", "/nonexistent/kubeconfig"], "/nonexistent/kubeconfig" },
        { ["--namespace", "admission-system"], "no cluster to run against: pass --kubeconfig FILE or run inside a cluster" },
        { ["--namespace", "admission-system", "--timout", "1s"], "--timout" },
    };

    [Theory]
    [MemberData(nameof(Wrong))]
    public async Task A_wrong_argument_is_named_with_exit_2(string[] args, string message)
    {
        var run = await UninstallCli.RunAsync(args);

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }
}
