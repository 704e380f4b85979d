namespace Admission.Chart.Tests.Infrastructure;

/// <summary>
/// The metric families a freshly started <c>admission serve</c> (local mode, on the examples)
/// exports at /metrics, read over HTTPS trusting only the CA it generated. Every name an alert
/// or a dashboard panel reads must be among them.
/// </summary>
internal static class ServedMetrics
{
    private static readonly Lazy<Task<IReadOnlySet<string>>> Families = new(ScrapeAsync);

    public static Task<IReadOnlySet<string>> FamiliesAsync() => Families.Value;

    private static async Task<IReadOnlySet<string>> ScrapeAsync()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "admission.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("admission.dll is not beside the tests: build src/Operator", dll);
        var tlsDir = Directory.CreateTempSubdirectory("admission-chart-metrics-").FullName;
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])[dll, "serve", "--approvals", Repo.PathOf("examples"), "--policy", Repo.PathOf("examples", "policy.yaml"),
            "--listen", $"https://127.0.0.1:{port}", "--tls-dir", tlsDir])
        {
            psi.ArgumentList.Add(arg);
        }
        var output = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (true)
            {
                string printed;
                lock (output) printed = output.ToString();
                if (printed.Contains("admission webhook listening", StringComparison.Ordinal)) break;
                if (process.HasExited || DateTime.UtcNow > deadline) throw new InvalidOperationException("admission serve did not start:\n" + printed);
                await Task.Delay(100);
            }
            var ca = new X509Certificate2Collection();
            ca.ImportFromPemFile(Path.Combine(tlsDir, "ca.crt"));
            using var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, certificate, _, _) => PrivateRoots.Trusts(ca, certificate),
            };
            // Generous bounds: under a full parallel test run a fresh server can take long to answer first.
            using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
            string text;
            while (true)
            {
                try
                {
                    // Ready first: the files are read beside Kestrel's start, and what they set (the cache's gauges) is part of what is served.
                    using var ready = await http.GetAsync(new Uri($"https://127.0.0.1:{port}/readyz"));
                    if (!ready.IsSuccessStatusCode)
                    {
                        if (DateTime.UtcNow > deadline + TimeSpan.FromSeconds(60)) throw new InvalidOperationException("admission serve never became ready:\n" + await ready.Content.ReadAsStringAsync());
                        await Task.Delay(100);
                        continue;
                    }
                    text = await http.GetStringAsync(new Uri($"https://127.0.0.1:{port}/metrics"));
                    break;
                }
                catch (Exception e) when ((e is HttpRequestException or TaskCanceledException) && DateTime.UtcNow < deadline + TimeSpan.FromSeconds(60))
                {
                    await Task.Delay(500);
                }
            }
            var families = new HashSet<string>(StringComparer.Ordinal);
            foreach (var line in text.Split('\n'))
            {
                // "# TYPE name kind" names every family, including labelled ones with no series yet.
                var parts = line.Split(' ');
                if (parts.Length >= 4 && parts[0] == "#" && parts[1] == "TYPE")
                {
                    families.Add(parts[2]);
                    if (parts[3] == "histogram")
                    {
                        families.Add(parts[2] + "_bucket");
                        families.Add(parts[2] + "_sum");
                        families.Add(parts[2] + "_count");
                    }
                }
            }
            return families;
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            try
            {
                Directory.Delete(tlsDir, recursive: true);
            }
            catch (IOException)
            {
                // best effort
            }
        }
    }
}
