using System.Diagnostics;
using System.Text.Json;
using Admission.Operator.Tests.Support;

namespace Admission.Operator.Tests.Hosting;

/// <summary>
/// The real process: a wrong environment variable stops serve like a wrong flag (exit 2, the
/// variable named, no stack trace), and an error only building the host finds leaves through the
/// same path, in the log format asked for.
/// </summary>
public sealed class ServeEnvironmentTests
{
    [Fact]
    public async Task A_wrong_timing_variable_exits_2_naming_it()
    {
        using var dir = new TempDir("admission-serve-env-");
        var result = await RunAsync(["serve", "--approvals", Repo.Example("approvals"), "--tls-dir", dir.File("tls"), "--listen", "https://127.0.0.1:1"],
            new() { ["ADMISSION_APPLIED_CHECK_INTERVAL"] = "soon" });

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(["error: ADMISSION_APPLIED_CHECK_INTERVAL: \"soon\" is not a positive duration such as 2s"],
            result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.DoesNotContain("listening", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_building_the_host_is_one_JSON_line_in_json_format()
    {
        using var dir = new TempDir("admission-serve-host-");
        var notKubeconfig = dir.Write("kubeconfig", "requiredApprovals: 2\n");
        var result = await RunAsync(["serve", "--kubeconfig", notKubeconfig, "--tls-dir", dir.File("tls"), "--listen", "https://127.0.0.1:1", "--log-format", "json"], []);

        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var doc = JsonDocument.Parse(line);
        Assert.Equal("Error", doc.RootElement.GetProperty("LogLevel").GetString());
        Assert.StartsWith($"error: {notKubeconfig}: ", doc.RootElement.GetProperty("Message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    private static async Task<CliResult> RunAsync(string[] args, Dictionary<string, string> environment)
    {
        var info = AdmissionCli.StartInfo(args);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(AdmissionCli.Timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
