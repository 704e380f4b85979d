namespace Admission.Operator.Tests.Check;

/// <summary>
/// Exit status 2: a usage or input error names the file and (for YAML) the line, and nothing is
/// decided, so standard output stays empty, even when other inputs would be denied (2 wins over 1).
/// </summary>
public sealed class CheckErrorTests
{
    private const string Now = "2026-03-06T12:00:00Z";
    private static string Data(params string[] parts) => Repo.TestData(["Check", "data", .. parts]);

    public static TheoryData<string, string[], string[]> InputErrors => new()
    {
        // case, arguments after "check", what standard error must name
        { "YAML syntax error", ["-f", Data("broken", "syntax.yaml")], [Data("broken", "syntax.yaml") + ":7:", "not valid YAML"] },
        { "unclosed flow mapping", ["-f", Data("broken", "unclosed.yaml")], [Data("broken", "unclosed.yaml") + ":5: not valid YAML", "unclosed { or ["] },
        { "manifest without kind", ["-f", Data("broken", "no-kind.yaml")], [Data("broken", "no-kind.yaml") + ":1: kind: is required"] },
        { "JSON syntax error", ["-f", Data("broken", "bad.json")], [Data("broken", "bad.json") + ":3: not valid JSON"] },
        { "a broken file in a folder", ["-f", Data("broken")], [Data("broken", "syntax.yaml") + ":7:", Data("broken", "bad.json") + ":3:", Data("broken", "no-kind.yaml") + ":1:", Data("broken", "unclosed.yaml") + ":5:"] },
        { "unknown policy key", ["-f", Repo.Example("deployment.yaml"), "--policy", Data("policies", "unknown-key.yaml")], [Data("policies", "unknown-key.yaml") + ":5: tier1.namespaceSelectors: unknown key"] },
        { "requiredApprovals 1", ["-f", Repo.Example("deployment.yaml"), "--policy", Data("policies", "one-approval.yaml")], [Data("policies", "one-approval.yaml") + ":4: requiredApprovals: must be at least 2"] },
        { "policy key that is not a string", ["-f", Repo.Example("deployment.yaml"), "--policy", Data("policies", "non-string-key.yaml")], [Data("policies", "non-string-key.yaml") + ":3: keys must be plain names, not lists or mappings"] },
        { "policy value of the wrong type", ["-f", Repo.Example("deployment.yaml"), "--policy", Data("policies", "wrong-type.yaml")], [Data("policies", "wrong-type.yaml") + ":3: allowReplicaChanges:"] },
        { "missing policy file", ["-f", Repo.Example("deployment.yaml"), "--policy", Data("policies", "absent.yaml")], [Data("policies", "absent.yaml") + ": does not exist"] },
        { "missing manifest file", ["-f", Data("absent.yaml")], [Data("absent.yaml") + ": no such file or directory"] },
        { "missing approvals path", ["-f", Repo.Example("deployment.yaml"), "--approvals", Data("absent")], [Data("absent") + ": no such file or directory"] },
        { "an invalid ChangeApproval", ["-f", Repo.Example("deployment.yaml"), "--approvals", Data("approvals", "bad-time.yaml")], [Data("approvals", "bad-time.yaml") + ":10: spec.expiresAt: \"tomorrow at noon\" is not an RFC 3339 time"] },
        { "a ChangeApproval of another version among the approvals", ["-f", Repo.Example("deployment.yaml"), "--approvals", Data("approvals-v2", "v2.yaml")], [Data("approvals-v2", "v2.yaml") + ":1: apiVersion: a ChangeApproval is approvals.admission.dev/v1alpha1, not approvals.admission.dev/v2"] },
        // Contract 6: an input that holds no object is an input error, so a pipeline whose manifests went missing is not green.
        { "an empty file", ["-f", Data("empty", "empty.yaml")], [Data("empty", "empty.yaml") + ": holds no object"] },
        { "a folder of comments only", ["-f", Data("comments-only")], [Data("comments-only") + ": holds no object"] },
        { "an empty file beside a good one", ["-f", Repo.Example("deployment.yaml"), "-f", Data("empty", "empty.yaml")], [Data("empty", "empty.yaml") + ": holds no object"] },
        { "empty standard input", ["-f", "-"], ["<stdin>: holds no object"] },
        { "bad --now", ["-f", Repo.Example("deployment.yaml"), "--now", "noon tomorrow"], ["--now: \"noon tomorrow\" is not an RFC 3339 time"] },
        { "bad --operation", ["-f", Repo.Example("deployment.yaml"), "--operation", "PATCH"], ["PATCH"] },
        { "bad --output", ["-f", Repo.Example("deployment.yaml"), "-o", "yaml"], ["yaml"] },
        { "unknown option", ["-f", Repo.Example("deployment.yaml"), "--approver", "alice"], ["--approver"] },
        { "no manifests", [], ["no manifests given"] },
    };

    [Theory]
    [MemberData(nameof(InputErrors))]
    public async Task Input_errors_exit_2_name_the_problem_and_decide_nothing(string @case, string[] args, string[] named)
    {
        var result = await AdmissionCli.RunAsync(["check", .. args]);
        Assert.True(result.ExitCode == 2, $"{@case}: {result}");
        Assert.Equal("", result.Stdout);
        foreach (var part in named)
        {
            Assert.True(result.Stderr.Contains(part, StringComparison.Ordinal), $"{@case}: stderr should name \"{part}\":\n{result.Stderr}");
        }
        Assert.DoesNotContain("Unhandled exception", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public async Task Exit_2_wins_over_1_and_nothing_partial_is_decided(string output)
    {
        // namespace.yaml + deployment.yaml alone would be denied (exit 1); the broken file makes it 2.
        var result = await AdmissionCli.RunAsync(["check", "-f", Repo.Example("namespace.yaml"), "-f", Repo.Example("deployment.yaml"),
            "-f", Data("broken", "syntax.yaml"), "--now", Now, "-o", output]);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Stdout);
        Assert.Contains(Data("broken", "syntax.yaml") + ":7:", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_policy_with_a_denied_object_is_2()
    {
        var result = await AdmissionCli.RunAsync(["check", "-f", Repo.Example("namespace.yaml"), "-f", Repo.Example("deployment.yaml"),
            "--policy", Data("policies", "one-approval.yaml"), "--now", Now]);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Every_error_is_reported_not_only_the_first()
    {
        var result = await AdmissionCli.RunAsync(["check", "-f", Data("broken", "syntax.yaml"), "-f", Data("absent.yaml"),
            "--policy", Data("policies", "unknown-key.yaml"), "--now", Now]);
        Assert.Equal(2, result.ExitCode);
        var errors = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(errors.Length >= 3, result.Stderr);
        Assert.All(errors, e => Assert.StartsWith("error: ", e, StringComparison.Ordinal));
    }
}
