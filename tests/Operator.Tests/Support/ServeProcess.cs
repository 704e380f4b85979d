namespace Admission.Operator.Tests.Support;

public sealed record ServeSettings
{
    /// <summary>--approvals paths (local mode). Required: the tests never run against a cluster.</summary>
    public IReadOnlyList<string> Approvals { get; init; } = [];
    public string? Policy { get; init; }
    /// <summary>--tls-dir; a fresh temporary one when null and no --tls-cert is given.</summary>
    public string? TlsDir { get; init; }
    public string? TlsCert { get; init; }
    public string? TlsKey { get; init; }
    /// <summary>The CA that signed --tls-cert (with generated certificates, ca.crt under --tls-dir is used).</summary>
    public string? CaFile { get; init; }
    public IReadOnlyList<string> DnsNames { get; init; } = [];
    /// <summary>--log-format; the program's default when null.</summary>
    public string? LogFormat { get; init; }
    /// <summary>Further arguments, after the ones above.</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];
}

/// <summary>
/// <c>admission serve</c> as a real process on a free loopback port, reached over HTTPS by a
/// client that trusts only the webhook's CA. Started by <see cref="StartAsync"/>, which returns
/// once <c>/readyz</c> answers 200.
/// </summary>
public sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly IReadOnlyList<TempDir> _ownDirs;

    private ServeProcess(Process process, int port, string tlsDir, string caFile, IReadOnlyList<TempDir> ownDirs)
    {
        _process = process;
        Port = port;
        TlsDir = tlsDir;
        CaFile = caFile;
        _ownDirs = ownDirs;
        BaseAddress = new Uri($"https://127.0.0.1:{port}/");
    }

    public int Port { get; }
    public string TlsDir { get; }
    public string CaFile { get; }
    public Uri BaseAddress { get; }
    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process printed so far (stdout and stderr interleaved).</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>
    /// serve in local mode on a temporary folder of its own (named from <paramref name="prefix"/>,
    /// removed on dispose): the example namespace.yaml as its only approvals file under approvals/,
    /// its certificates generated under tls/.
    /// </summary>
    public static Task<ServeProcess> StartWithExampleNamespaceAsync(string prefix)
    {
        var dir = new TempDir(prefix);
        dir.Write("approvals/namespace.yaml", File.ReadAllText(Repo.Example("namespace.yaml")));
        return StartAsync(new ServeSettings { Approvals = [dir.File("approvals")], TlsDir = dir.File("tls") }, [dir]);
    }

    public static Task<ServeProcess> StartAsync(ServeSettings settings) => StartAsync(settings, []);

    /// <param name="ownDirs">Folders the server removes when disposed.</param>
    private static async Task<ServeProcess> StartAsync(ServeSettings settings, List<TempDir> ownDirs)
    {
        if (settings.Approvals.Count == 0) throw new ArgumentException("tests run serve in local mode only", nameof(settings));
        var ownTlsDir = settings.TlsDir is null && settings.TlsCert is null ? new TempDir("admission-tls-") : null;
        if (ownTlsDir is not null) ownDirs.Add(ownTlsDir);
        var tlsDir = settings.TlsDir ?? ownTlsDir?.Path ?? Path.GetDirectoryName(settings.TlsCert)!;
        var port = FreePort();
        var args = new List<string> { "serve", "--listen", $"https://127.0.0.1:{port}", "--tls-dir", tlsDir };
        foreach (var a in settings.Approvals) args.AddRange(["--approvals", a]);
        if (settings.Policy is not null) args.AddRange(["--policy", settings.Policy]);
        if (settings.TlsCert is not null) args.AddRange(["--tls-cert", settings.TlsCert, "--tls-key", settings.TlsKey!]);
        foreach (var n in settings.DnsNames) args.AddRange(["--dns-name", n]);
        if (settings.LogFormat is not null) args.AddRange(["--log-format", settings.LogFormat]);
        args.AddRange(settings.ExtraArgs);

        var process = Process.Start(AdmissionCli.StartInfo(args)) ?? throw new InvalidOperationException("could not start dotnet");
        var caFile = settings.CaFile ?? Path.Combine(tlsDir, "ca.crt");
        var serve = new ServeProcess(process, port, tlsDir, caFile, ownDirs);
        process.OutputDataReceived += (_, e) => serve.Append(e.Data);
        process.ErrorDataReceived += (_, e) => serve.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        try
        {
            await serve.WaitReadyAsync(TimeSpan.FromSeconds(30));
        }
        catch
        {
            await serve.DisposeAsync();
            throw;
        }
        return serve;
    }

    /// <summary>A client that, like kube-apiserver, trusts only this server's CA.</summary>
    public HttpClient CreateClient() => ApiServerClient.TrustingCaFile(CaFile).Create(BaseAddress);

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        HttpClient? client = null;
        string last = "";
        try
        {
            while (deadline.Elapsed < timeout)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"admission serve exited with {_process.ExitCode} before it was ready:\n{Output}");
                }
                if (client is null && File.Exists(CaFile))
                {
                    try
                    {
                        client = CreateClient();
                    }
                    catch (System.Security.Cryptography.CryptographicException e)
                    {
                        last = $"{CaFile} not complete yet: {e.Message}"; // being written right now
                    }
                }
                if (client is not null)
                {
                    try
                    {
                        using var response = await client.GetAsync("readyz");
                        last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                        if (response.StatusCode == HttpStatusCode.OK) return;
                    }
                    // Not listening yet, or a connection reset while it starts: .NET surfaces one race of
                    // that (the peer gone before the handler reads the remote end point) as a bare SocketException.
                    catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException)
                    {
                        last = e.Message;
                    }
                }
                await Task.Delay(100);
            }
        }
        finally
        {
            client?.Dispose();
        }
        throw new TimeoutException($"admission serve was not ready within {timeout} (last: {last}):\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops the process with SIGTERM, as the kubelet does, and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false });
            kill?.WaitForExit();
        }
        else
        {
            _process.Kill(entireProcessTree: true);
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public int ExitCode => _process.ExitCode;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // never started or already reaped
        }
        _process.Dispose();
        foreach (var dir in _ownDirs) dir.Dispose();
    }
}
