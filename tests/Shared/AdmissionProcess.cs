using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Admission.Tests.Shared;

/// <summary>
/// The real <c>admission serve</c> process (the built admission.dll, run by <c>dotnet</c>), with its
/// output kept for assertions and its HTTPS endpoints reachable with the CA it generated.
/// </summary>
internal sealed class AdmissionProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private HttpClient? _http;

    private readonly Func<string>? _trust;

    private AdmissionProcess(Process process, string name, int port, string tlsDir, Func<string>? trust)
    {
        _trust = trust;
        _process = process;
        Name = name;
        Port = port;
        TlsDir = tlsDir;
    }

    public string Name { get; }

    public int Port { get; }

    public string TlsDir { get; }

    public string CaFile => Path.Combine(TlsDir, "ca.crt");

    public IReadOnlyList<string> Output => [.. _output];

    /// <summary>The thumbprint of the certificate served at the last TLS handshake.</summary>
    public string? ServedCertificate { get; private set; }

    public bool Exited => _process.HasExited;

    /// <summary>admission.dll beside the tests (a project that references src/Operator), else as src/Operator built it in this configuration.</summary>
    public static string Dll
    {
        get
        {
            var beside = Path.Combine(AppContext.BaseDirectory, "admission.dll");
            if (File.Exists(beside)) return beside;
            var configuration = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries)
                .SkipWhile(p => p != "bin").Skip(1).FirstOrDefault() ?? "Debug";
            var built = Path.Combine(Repository.Root, "src", "Operator", "bin", configuration, "net10.0", "admission.dll");
            return File.Exists(built) ? built : throw new FileNotFoundException($"admission.dll is neither beside the tests nor at {built}: build src/Operator ({configuration})", beside);
        }
    }

    private static readonly Lazy<string> LegacyPolicy = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"admission-cluster-tests-policy-{Environment.ProcessId}.yaml");
        File.WriteAllText(path, "requireExactChange: false\n");
        return path;
    });

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <param name="trust">The CA bundle to trust, read at each handshake; by default the generated ca.crt under the TLS folder.</param>
    public static AdmissionProcess Start(string name, string kubeconfig, string tlsDir, IReadOnlyDictionary<string, string> environment,
        int? port = null, Func<string>? trust = null, params string[] extraArgs)
    {
        port ??= FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // These suites decide with approvals that bind no change; requireExactChange is off for them.
        string[] policy = extraArgs.Contains("--policy") ? [] : ["--policy", LegacyPolicy.Value];
        // No drain on SIGTERM unless a test asks: these suites stop processes often and test other things.
        string[] drain = extraArgs.Contains("--drain-delay") ? [] : ["--drain-delay", "0s"];
        foreach (var arg in (string[])[Dll, "serve", "--kubeconfig", kubeconfig, "--tls-dir", tlsDir, "--listen", $"https://127.0.0.1:{port}", .. policy, .. drain, .. extraArgs])
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["POD_NAME"] = name;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // Run inside a pod, the tests would otherwise hand the process that pod's in-cluster service account.
        start.Environment.Remove("KUBERNETES_SERVICE_HOST");
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = new Process { StartInfo = start };
        var result = new AdmissionProcess(process, name, port.Value, tlsDir, trust);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) result._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) result._output.Enqueue("stderr: " + e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    public string Log => $"--- {Name} output ---\n" + string.Join("\n", _output);

    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_output.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Name} never printed \"{text}\"\n{Log}");
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}\n{Log}");
            await Task.Delay(50);
        }
    }

    public int Count(string text) => _output.Count(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>
    /// How long a process may take to listen. A deadline, not a pause: it costs nothing when the
    /// process starts at once, and a run on a starved machine saw a start take over 30 s.
    /// </summary>
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);

    /// <summary>The CA the process generated, once it listens (within <see cref="StartDeadline"/> unless told).</summary>
    public async Task<string> CaPemAsync(TimeSpan? timeout = null)
    {
        await WaitForOutputAsync("admission webhook listening", timeout ?? StartDeadline);
        return await File.ReadAllTextAsync(CaFile);
    }

    private HttpClient Http()
    {
        if (_http is not null) return _http;
        var trust = _trust ?? (() => File.ReadAllText(CaFile));
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is null) return false;
                    var bundle = new X509Certificate2Collection();
                    bundle.ImportFromPem(trust());
                    ServedCertificate = certificate.GetCertHashString();
                    return PrivateRoots.Trusts(bundle, certificate);
                },
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(10) };
        return _http;
    }

    public async Task<(int Status, string Body)> GetAsync(string path)
    {
        using var response = await Http().GetAsync(new Uri(path, UriKind.Relative));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<(int Status, string Body)> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await Http().PostAsync(new Uri(path, UriKind.Relative), content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<string> ReadyzAsync() => (await GetAsync("/readyz")).Body;

    public async Task WaitReadyAsync(bool ready, TimeSpan timeout)
    {
        await WaitForOutputAsync("admission webhook listening", timeout > StartDeadline ? timeout : StartDeadline);
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (true)
        {
            try
            {
                var (status, body) = await GetAsync("/readyz");
                last = body;
                if ((status == 200) == ready) return;
            }
            catch (Exception e) when (e is HttpRequestException or SocketException)
            {
                last = e.Message; // no certificate to serve yet, or a connection reset while it starts
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Name} /readyz never became {(ready ? "ready" : "not ready")}: {last}\n{Log}");
            await Task.Delay(100);
        }
    }

    /// <summary>A metric's value from /metrics (0 when absent).</summary>
    public async Task<double> MetricAsync(string series)
    {
        var (_, body) = await GetAsync("/metrics");
        foreach (var line in body.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return 0;
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod, then wait for a clean exit.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }
        _http?.Dispose();
        _process.Dispose();
    }
}
