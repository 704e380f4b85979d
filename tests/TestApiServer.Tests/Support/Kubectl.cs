namespace Admission.TestApiServer.Tests.Support;

/// <summary>Runs the real kubectl against a kubeconfig, with a private HOME so no discovery cache leaks between runs.</summary>
internal sealed class Kubectl : IDisposable
{
    private const string Binary = "/usr/bin/kubectl";
    private readonly string _home = Directory.CreateTempSubdirectory("kubectl-home-").FullName;

    public Kubectl(TestApiServer server, string user, string? defaultNamespace = null)
    {
        Kubeconfig = Path.Combine(_home, "kubeconfig");
        server.WriteKubeconfig(Kubeconfig, user, defaultNamespace);
    }

    public string Kubeconfig { get; }

    public string Home => _home;

    public async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) => await RunWithInputAsync(null, args);

    public async Task<(int ExitCode, string Stdout, string Stderr)> RunWithInputAsync(string? stdin, params string[] args)
    {
        Assert.True(File.Exists(Binary), $"{Binary} is needed for these tests");
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["KUBECONFIG"] = Kubeconfig;
        start.Environment["HOME"] = _home;
        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public string Write(string name, string content)
    {
        var path = Path.Combine(_home, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
