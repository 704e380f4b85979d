namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// Each file and folder serve is given, wrong in each way a newcomer gets it wrong: one line on
/// standard error naming the option, the path and what it holds; exit 2; no stack trace, no server.
/// (Unreadable files are not among the cases: the tests may run as root, which reads anything.)
/// </summary>
public sealed class ServeStartupFileTests : IDisposable
{
    private readonly TempDir _dir = new("admission-serve-files-");

    public ServeStartupFileTests()
    {
        var now = DateTimeOffset.UtcNow;
        using var ca = CertificateAuthority.CreateCa("test-ca", now, TimeSpan.FromDays(2));
        using var serving = CertificateAuthority.IssueServing(ca, ["localhost"], now, TimeSpan.FromDays(1));
        _dir.Write("tls.crt", CertificateAuthority.CertificatePem(serving));
        _dir.Write("tls.key", CertificateAuthority.KeyPem(serving));
        _dir.Write("ca.crt", CertificateAuthority.CertificatePem(ca));
        _dir.Write("both.pem", CertificateAuthority.CertificatePem(serving) + CertificateAuthority.KeyPem(serving));
        _dir.Write("policy.yaml", "requiredApprovals: 2\n");
        _dir.Write("not-pem.txt", "hello\n");
        _dir.Write("a-file", "x\n");
        Directory.CreateDirectory(_dir.File("folder"));
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>--tls-cert and --tls-key given as these two files of the test folder.</summary>
    private static string[] Tls(string cert, string key) => ["--tls-cert", "{dir}/" + cert, "--tls-key", "{dir}/" + key];

    public static TheoryData<string, string[], string> Cases => new()
    {
        // case, arguments ({dir} is the test folder), the one line standard error must hold
        { "cert and key swapped", Tls("tls.key", "tls.crt"), "error: --tls-cert: \"{dir}/tls.key\" holds a private key, not a PEM certificate; --tls-cert and --tls-key look swapped" },
        { "the key given twice", Tls("tls.key", "tls.key"), "error: --tls-cert: \"{dir}/tls.key\" holds a private key, not a PEM certificate" },
        { "the certificate given twice", Tls("tls.crt", "tls.crt"), "error: --tls-key: \"{dir}/tls.crt\" holds a certificate, not a PEM private key" },
        { "the key of another certificate", Tls("ca.crt", "tls.key"), "error: --tls-key: \"{dir}/tls.key\" cannot be used with the certificate in \"{dir}/ca.crt\": The provided key does not match the public key for this certificate" },
        { "a certificate that is not PEM", Tls("not-pem.txt", "tls.key"), "error: --tls-cert: \"{dir}/not-pem.txt\" holds no PEM block, not a PEM certificate" },
        { "a folder as the certificate", Tls("folder", "tls.key"), "error: --tls-cert: \"{dir}/folder\" is a folder, not a file" },
        { "a file as --tls-dir", ["--tls-dir", "{dir}/a-file"],
            "error: --tls-dir: \"{dir}/a-file\" is a file; --tls-dir is the folder where the generated CA and serving certificate are kept" },
        { "a missing approvals folder", ["--approvals", "{dir}/nope-dir"], "error: --approvals: \"{dir}/nope-dir\" does not exist" },
        { "a folder as the policy", ["--policy", "{dir}/folder"], "error: {dir}/folder: is a folder, not a policy file (one AdmissionPolicy YAML file)" },
        { "a missing policy", ["--policy", "{dir}/absent.yaml"], "error: {dir}/absent.yaml: does not exist" },
        { "a folder as the kubeconfig", ["--kubeconfig", "{dir}/folder"], "error: --kubeconfig: \"{dir}/folder\" is a folder, not a file" },
        { "a kubeconfig that is not one", ["--kubeconfig", "{dir}/policy.yaml"], "{dir}/policy.yaml" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_wrong_file_is_one_line_naming_it(string name, string[] args, string line)
    {
        var given = args.Select(a => a.Replace("{dir}", _dir.Path, StringComparison.Ordinal)).ToList();
        var local = given.Contains("--approvals") || given.Contains("--kubeconfig") ? [] : new[] { "--approvals", Repo.Example("approvals") };
        var tlsDir = given.Contains("--tls-dir") ? [] : new[] { "--tls-dir", _dir.File("generated") };
        var result = await AdmissionCli.RunAsync(["serve", "--listen", "https://127.0.0.1:1", .. local, .. tlsDir, .. given]);

        Assert.True(result.ExitCode == 2, $"{name}: {result}");
        var expected = line.Replace("{dir}", _dir.Path, StringComparison.Ordinal);
        var errors = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(errors.Any(e => e.Contains(expected, StringComparison.Ordinal)), $"{name}: stderr should hold \"{expected}\":\n{result.Stderr}");
        Assert.Single(errors);
        Assert.DoesNotContain("   at ", result.Stderr + result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("listening", result.Stdout, StringComparison.Ordinal);
    }
}
