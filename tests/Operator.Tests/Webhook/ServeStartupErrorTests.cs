namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// `admission serve` refuses to start on bad input with exit 2 and a message naming the option or
/// file: never a stack trace, never a server that runs without what it was told to use.
/// </summary>
public sealed class ServeStartupErrorTests
{
    /// <summary>Each case: the arguments given after good --approvals and --tls-dir, and what standard error must say.</summary>
    private static readonly Dictionary<string, (string[] Args, string Message)> Cases = new()
    {
        ["missing certificate files"] = (["--tls-cert", "/nonexistent/tls.crt", "--tls-key", "/nonexistent/tls.key"], "--tls-cert: \"/nonexistent/tls.crt\" does not exist"),
        ["only one of the certificate pair"] = (["--tls-cert", "/nonexistent/tls.crt"], "--tls-cert/--tls-key: give both, or neither"),
        ["plain http"] = (["--listen", "http://127.0.0.1:8443"], "--listen: \"http://127.0.0.1:8443/\" must be an https:// URL"),
        ["a host name to listen on"] = (["--listen", "https://example.com:8443"], "must be an IP address or localhost"),
        ["a bad staleness"] = (["--max-cache-staleness", "soon"], "--max-cache-staleness: \"soon\" is not a positive duration"),
        ["a missing kubeconfig"] = (["--kubeconfig", "/nonexistent/kubeconfig"], "--kubeconfig: \"/nonexistent/kubeconfig\" does not exist"),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Bad_input_exits_2_with_a_message(string name)
    {
        var (args, message) = Cases[name];
        using var dir = new TempDir("admission-serve-bad-");
        var result = await AdmissionCli.RunAsync(["serve", "--approvals", Repo.Example("approvals"), "--tls-dir", dir.File("tls"), .. args]);
        Assert.True(result.ExitCode == 2, $"{name}: {result}");
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_policy_stops_the_server_from_starting_naming_the_key_and_line()
    {
        using var dir = new TempDir("admission-serve-policy-");
        dir.Write("policy.yaml", "apiVersion: approvals.admission.dev/v1alpha1\nkind: AdmissionPolicy\nrequiredApprovals: 1\n");
        var result = await AdmissionCli.RunAsync("serve", "--approvals", Repo.Example("approvals"), "--tls-dir", dir.File("tls"), "--policy", dir.File("policy.yaml"));
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(dir.File("policy.yaml") + ":3: requiredApprovals: must be at least 2", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("listening", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_exits_2_naming_the_address()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var dir = new TempDir("admission-serve-port-");
        var result = await AdmissionCli.RunAsync("serve", "--approvals", Repo.Example("approvals"), "--tls-dir", dir.File("tls"), "--listen", $"https://127.0.0.1:{port}");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"--listen: cannot listen on https://127.0.0.1:{port}/", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr + result.Stdout, StringComparison.Ordinal);
    }
}
