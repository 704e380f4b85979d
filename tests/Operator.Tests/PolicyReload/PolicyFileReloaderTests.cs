using Admission.Operator.Cli;
using Admission.Operator.PolicyReload;

namespace Admission.Operator.Tests.PolicyReload;

/// <summary>
/// The policy file's reload rules, one look at the file per tick: a valid change is loaded once it
/// reads the same twice; an invalid or unreadable one is refused once, loudly, and the policy in
/// force stays; the next valid change is picked up.
/// </summary>
public sealed class PolicyFileReloaderTests
{
    private const string Start = "requiredApprovals: 3\n";
    private const string Other = "requiredApprovals: 4\n";
    private const string Third = "requiredApprovals: 5\n";
    private const string BelowTwo = "requiredApprovals: 1\n";
    private const string BrokenYaml = "apiVersion: approvals.admission.dev/v1alpha1\ntier1: [\n";

    /// <summary>Steps: "tick", "write:TEXT", "delete". Expected: required approvals in force, generation, the pending failure's text (or null), error lines logged.</summary>
    public static TheoryData<string, string[], int, long, string?, int> Cases => new()
    {
        { "an unchanged file loads nothing", ["tick", "tick", "tick"], 3, 1, null, 0 },
        { "a valid change is loaded once it reads the same twice", [$"write:{Other}", "tick", "tick"], 4, 2, null, 0 },
        { "a change read once is not loaded yet (it may be half-written)", [$"write:{Other}", "tick"], 3, 1, null, 0 },
        { "a file rewritten before every tick is never loaded", [$"write:{Other}", "tick", $"write:{Third}", "tick", $"write:{Other}", "tick", $"write:{Third}", "tick"], 3, 1, null, 0 },
        { "a value the contract refuses keeps the policy and is reported once", [$"write:{BelowTwo}", "tick", "tick", "tick", "tick", "tick"], 3, 1, "policy.yaml:1: requiredApprovals", 1 },
        { "broken YAML keeps the policy and names the line", [$"write:{BrokenYaml}", "tick", "tick", "tick"], 3, 1, "policy.yaml:3: not valid YAML", 1 },
        { "the next valid change after a refused one is picked up", [$"write:{BelowTwo}", "tick", "tick", $"write:{Other}", "tick", "tick"], 4, 2, null, 1 },
        { "two refused changes are two errors", [$"write:{BelowTwo}", "tick", "tick", $"write:{BrokenYaml}", "tick", "tick", "tick"], 3, 1, "policy.yaml:3: not valid YAML", 2 },
        { "going back to the policy in force after a refusal clears the failure", [$"write:{BelowTwo}", "tick", "tick", $"write:{Start}", "tick", "tick"], 3, 2, null, 1 },
        { "a deleted file keeps the policy and is reported once", ["delete", "tick", "tick", "tick"], 3, 1, "policy.yaml: does not exist", 1 },
        { "a file restored after deletion is loaded", ["delete", "tick", "tick", $"write:{Other}", "tick", "tick"], 4, 2, null, 1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reload_rules(string name, string[] steps, int requiredApprovals, long generation, string? failure, int errorLines)
    {
        using var dir = new TempDir("admission-policy-reload-");
        var file = dir.Write("policy.yaml", Start);
        var (policy, sha) = PolicyLoader.LoadWithHash(file);
        var source = new PolicySource(policy, file, sha);
        var log = new CapturingLogger<PolicyFileReloader>();
        var reloader = new PolicyFileReloader(source, TimeProvider.System, log);

        foreach (var step in steps)
        {
            if (step == "tick") reloader.Tick();
            else if (step == "delete") File.Delete(file);
            else dir.WriteAtomically("policy.yaml", step["write:".Length..]);
        }

        Assert.True(requiredApprovals == source.Current.Policy.RequiredApprovals, $"{name}: requiredApprovals {source.Current.Policy.RequiredApprovals}, expected {requiredApprovals}");
        Assert.True(generation == source.Current.Generation, $"{name}: generation {source.Current.Generation}, expected {generation}");
        if (failure is null)
        {
            Assert.True(source.LastFailure is null, $"{name}: a failure is pending: {source.LastFailure}");
            Assert.DoesNotContain("refused", source.Detail(), StringComparison.Ordinal);
        }
        else
        {
            Assert.True(source.LastFailure?.Error.Contains(failure, StringComparison.Ordinal) == true, $"{name}: pending failure {source.LastFailure}, expected one naming {failure}");
            Assert.Contains(failure, source.Detail(), StringComparison.Ordinal);
            Assert.Contains($"still deciding with generation {generation}", source.Detail(), StringComparison.Ordinal);
        }
        Assert.True(errorLines == log.Errors.Count, $"{name}: {log.Errors.Count} error lines, expected {errorLines}: {string.Join(" | ", log.Errors)}");
        Assert.All(log.Errors, e => Assert.Contains(file, e, StringComparison.Ordinal));
    }

    [Fact]
    public void The_hash_in_force_is_the_hash_of_the_file_read_at_start()
    {
        using var dir = new TempDir("admission-policy-reload-");
        var file = dir.Write("policy.yaml", Start);
        var (_, sha) = PolicyLoader.LoadWithHash(file);
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))), sha);
        Assert.Equal((Admission.Policies.AdmissionPolicy.Default, ""), PolicyLoader.LoadWithHash(null));
    }
}
