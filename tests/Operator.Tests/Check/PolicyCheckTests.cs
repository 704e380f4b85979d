namespace Admission.Operator.Tests.Check;

/// <summary>Contract 5: <c>admission policy check FILE</c> checks a policy alone, exit 0 or 2.</summary>
public sealed class PolicyCheckTests
{
    [Fact]
    public async Task The_example_policy_is_valid_and_what_it_guards_is_said()
    {
        var result = await AdmissionCli.RunAsync("policy", "check", Repo.Example("policy.yaml"));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            $"{Repo.Example("policy.yaml")}: valid. Guards Pod, apps/ReplicaSet, apps/Deployment, apps/StatefulSet, apps/DaemonSet, batch/Job, batch/CronJob in Tier-1 namespaces " +
            "(namespaces labelled approvals.admission.dev/tier=1); 2 approvals needed, valid for at most 168h.",
            result.Stdout.Trim());
        Assert.Equal("", result.Stderr);
    }

    public static TheoryData<string, string, string> Bad => new()
    {
        // case, policy text (null: a folder), what standard error must say
        { "a kind without its group", "workloadKinds: [Deployment]\n", ":1: workloadKinds[0]: \"Deployment\": Kubernetes serves no kind Deployment in the core group (an entry without group/); write apps/Deployment" },
        { "requiredApprovals 1", "# two-person rule\nrequiredApprovals: 1\n", ":2: requiredApprovals: must be at least 2" },
        { "an unknown key", "requiredAprovals: 2\n", ":1: requiredAprovals: unknown key" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public async Task A_bad_policy_is_exit_2_naming_key_and_line(string name, string text, string says)
    {
        using var dir = new TempDir();
        var file = dir.Write("policy.yaml", text);
        var result = await AdmissionCli.RunAsync("policy", "check", file);
        Assert.True(result.ExitCode == 2, $"{name}: {result}");
        Assert.StartsWith($"error: {file}{says}", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task A_folder_or_a_missing_file_is_exit_2_saying_which()
    {
        using var dir = new TempDir();
        var folder = await AdmissionCli.RunAsync("policy", "check", dir.Path);
        Assert.Equal(2, folder.ExitCode);
        Assert.Equal($"error: {dir.Path}: is a folder, not a policy file (one AdmissionPolicy YAML file)", folder.Stderr.Trim());
        var missing = await AdmissionCli.RunAsync("policy", "check", dir.File("absent.yaml"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Equal($"error: {dir.File("absent.yaml")}: does not exist", missing.Stderr.Trim());
    }
}
