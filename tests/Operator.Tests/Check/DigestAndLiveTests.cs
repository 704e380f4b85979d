namespace Admission.Operator.Tests.Check;

/// <summary>
/// <c>admission digest</c> and <c>admission check --live</c> (contract section 6): the digests
/// printed are the ones the engine binds, and an input object with a live one is decided as its
/// UPDATE (or, with --operation DELETE, its DELETE).
/// </summary>
public sealed class DigestAndLiveTests : IDisposable
{
    private const string Now = "2026-03-06T12:00:00Z";
    private const string ExampleDigest = "sha256:7f1116b3a0cfb9852b268c16296e826b13ef6c39cbe0c58214c9c493401449d2";
    private readonly TempDir _dir = new("admission-live-");

    public void Dispose() => _dir.Dispose();

    private static string Deployment => File.ReadAllText(Repo.Example("deployment.yaml"));

    /// <summary>The live object: the example Deployment one release earlier.</summary>
    private string Live() => _dir.Write("live.yaml", Deployment.Replace("checkout:2.4.1", "checkout:2.4.0", StringComparison.Ordinal));

    /// <summary>What carol will apply with one more environment variable than was approved.</summary>
    private string WithEnv() => _dir.Write("with-env.yaml", Deployment.Replace(
        "        image: registry.example.com/checkout:2.4.1\n",
        "        image: registry.example.com/checkout:2.4.1\n        env:\n        - {name: DEBUG, value: \"1\"}\n", StringComparison.Ordinal));

    private async Task<string> DigestOf(string file)
    {
        var result = await AdmissionCli.RunAsync("digest", "-f", file);
        Assert.True(result.ExitCode == 0, result.ToString());
        var line = Assert.Single(result.StdoutLines);
        return line.Split(' ')[2];
    }

    private string Approval(string digest, string? @base, string operations = "[UPDATE]") => _dir.Write("approval.yaml", $"""
        apiVersion: approvals.admission.dev/v1alpha1
        kind: ChangeApproval
        metadata: {"{"}name: checkout-exact, namespace: payments{"}"}
        spec:
          target: {"{"}apiGroup: apps, kind: Deployment, name: checkout{"}"}
          operations: {operations}
          change: {"{"}digest: "{digest}"{(@base is null ? "" : $", base: \"{@base}\"")}{"}"}
          reason: "Roll out 2.4.1"
          requestedBy: carol
          notBefore: "2026-03-06T10:00:00Z"
          expiresAt: "2026-03-06T18:00:00Z"
          approvals:
          - {"{"}approver: alice, approvedAt: "2026-03-06T09:12:00Z"{"}"}
          - {"{"}approver: bob, approvedAt: "2026-03-06T09:41:00Z"{"}"}
        """);

    [Fact]
    public async Task Digest_prints_kind_namespace_name_and_the_digest_the_examples_bind()
    {
        var result = await AdmissionCli.RunAsync("digest", "-f", Repo.Example("deployment.yaml"));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([$"Deployment payments/checkout {ExampleDigest}"], result.StdoutLines);
    }

    [Fact]
    public async Task Digest_follows_the_policy_replica_setting_and_names_bad_input()
    {
        var policy = _dir.Write("policy.yaml", "allowReplicaChanges: false\n");
        var strict = await AdmissionCli.RunAsync("digest", "-f", Repo.Example("deployment.yaml"), "--policy", policy);
        Assert.True(strict.ExitCode == 0, strict.ToString());
        Assert.DoesNotContain(ExampleDigest, strict.Stdout, StringComparison.Ordinal);

        var broken = _dir.Write("broken.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: [x\n");
        var bad = await AdmissionCli.RunAsync("digest", "-f", broken);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("broken.yaml:", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal("", bad.Stdout);
    }

    [Fact]
    public async Task Live_makes_it_an_UPDATE_bound_by_digest_and_base()
    {
        var live = Live();
        var approval = Approval(ExampleDigest, await DigestOf(live));
        string[] common = ["check", "-f", Repo.Example("namespace.yaml"), "--live", live, "--approvals", approval, "--user", "carol", "--now", Now];

        var exact = await AdmissionCli.RunAsync([.. common, "-f", Repo.Example("deployment.yaml"), "-o", "json"]);
        Assert.True(exact.ExitCode == 0, exact.ToString());
        using (var doc = JsonDocument.Parse(exact.Stdout))
        {
            var row = Assert.Single(doc.RootElement.EnumerateArray().ToList());
            Assert.Equal("approved", row.GetProperty("decision").GetString());
            Assert.Equal("payments/checkout-exact", row.GetProperty("approval").GetString());
            Assert.Equal(ExampleDigest, row.GetProperty("digest").GetString());
        }

        var oneMoreEnv = await AdmissionCli.RunAsync([.. common, "-f", WithEnv()]);
        Assert.True(oneMoreEnv.ExitCode == 1, oneMoreEnv.ToString());
        Assert.Contains("ChangeApproval checkout-exact: the result differs", oneMoreEnv.Stdout, StringComparison.Ordinal);

        // Without --live the same input is a CREATE, which an approval with a base does not cover.
        var create = await AdmissionCli.RunAsync(["check", "-f", Repo.Example("namespace.yaml"), "-f", Repo.Example("deployment.yaml"), "--approvals", approval, "--user", "carol", "--now", Now]);
        Assert.True(create.ExitCode == 1, create.ToString());
        Assert.Contains("does not cover CREATE", create.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_with_operation_DELETE_binds_the_live_object()
    {
        var live = Live();
        var approval = Approval(await DigestOf(live), null, "[DELETE]");
        var result = await AdmissionCli.RunAsync(["check", "-f", Repo.Example("namespace.yaml"), "-f", Repo.Example("deployment.yaml"),
            "--live", live, "--operation", "DELETE", "--approvals", approval, "--user", "carol", "--now", Now]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ALLOWED Deployment payments/checkout approved payments/checkout-exact", result.Stdout, StringComparison.Ordinal);
    }
}
