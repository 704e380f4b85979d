namespace Admission.Plugin.Tests.Unit;

/// <summary>
/// What can be checked without the cluster is checked first: with the cluster unreachable, a
/// mistake in the command line is still a usage error (exit 2) that names it, not "cannot reach".
/// </summary>
public class LocalChecksFirstTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 6, 9, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, string[], string> Mistakes => new()
    {
        // case, the command line, what standard error must say
        { "an unknown duration unit", ["request", "deployment/checkout", "--reason", "r", "--expires-in", "2w"], "--expires-in \"2w\" is not a positive duration" },
        { "an empty reason", ["request", "deployment/checkout", "--reason", ""], "--reason must not be empty" },
        { "a bad --not-before", ["request", "deployment/checkout", "--reason", "r", "--not-before", "monday"], "--not-before \"monday\"" },
        { "a bad --operation", ["request", "deployment/checkout", "--reason", "r", "--operation", "PATCH"], "--operation \"PATCH\" is not CREATE, UPDATE or DELETE" },
        { "a bad --name", ["request", "deployment/checkout", "--reason", "r", "--name", "Checkout"], "--name \"Checkout\" is not a valid name" },
        { "a target that is not KIND/NAME", ["request", "checkout", "--reason", "r"], "\"checkout\" is not KIND/NAME" },
        { "a missing --from-file", ["request", "deployment/checkout", "--reason", "r", "--from-file", "/nonexistent/checkout.yaml"], "--from-file /nonexistent/checkout.yaml: cannot be read" },
        { "why: a bad --operation", ["why", "deployment/checkout", "--operation", "PATCH"], "--operation \"PATCH\" is not CREATE, UPDATE or DELETE" },
        { "why: a missing -f", ["why", "deployment/checkout", "-f", "/nonexistent/checkout.yaml"], "-f /nonexistent/checkout.yaml: cannot be read" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task A_command_line_mistake_is_exit_2_even_when_the_cluster_is_unreachable(string name, string[] args, string says)
    {
        var cluster = new FakeCluster(Now)
        {
            FailEverything = new ClusterUnreachableException("cannot reach the API server at https://fake.example:6443: connection refused"),
        };

        var result = await Run.RunAsync(cluster, "carol", args);

        Assert.True(result.Exit == 2, $"{name}: {result}");
        Assert.Contains(says, result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot reach", result.Err, StringComparison.Ordinal);
    }
}
