namespace Admission.Chart.Tests;

/// <summary>
/// There is no Docker engine here, so the image is tested by what it holds and runs: the app is
/// published exactly as the Dockerfile does (self-contained, one composite ReadyToRun image), and
/// started from that folder alone, with no .NET to fall back on, as UID 65532
/// (the image's and the chart's user), with HOME and TMPDIR on /tmp as in the image.
/// </summary>
public sealed class PublishedImageTests
{
    private const int NonRootUid = 65532;

    [Fact]
    public async Task Published_app_serves_readyz_as_a_non_root_user()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Assert.Fail("this test switches to UID 65532 with setpriv and must run as root (as CI does)");
        }
        var work = Directory.CreateTempSubdirectory("admission-image-");
        try
        {
            var app = Path.Combine(work.FullName, "app");
            // The Dockerfile's publish line, verbatim apart from the output folder.
            await Run("dotnet", ["publish", Repo.PathOf("src", "Operator", "Admission.Operator.csproj"), "-c", "Release", "-r", "linux-x64",
                "-p:PublishReadyToRun=true", "-p:PublishReadyToRunComposite=true", "-o", app, "--self-contained", "-p:UseAppHost=true", "--nologo", "-v", "q"]);
            // The composite image, and the runtime the runtime-deps image does not have.
            Assert.True(File.Exists(Path.Combine(app, "admission.r2r.dll")), "the publish folder lacks the composite ReadyToRun image");
            Assert.True(File.Exists(Path.Combine(app, "libcoreclr.so")), "the publish folder lacks the runtime: the image has none of its own");
            Assert.True(File.Exists(Path.Combine(app, "admission")), "the publish folder lacks the admission apphost the ENTRYPOINT names");
            Assert.DoesNotContain(Directory.EnumerateFiles(app), f => Path.GetFileName(f).Contains("Tests", StringComparison.Ordinal));

            // What the pod gives it: the examples as approval data and a writable /tmp-like folder.
            var data = Path.Combine(work.FullName, "data");
            Directory.CreateDirectory(data);
            File.Copy(Repo.PathOf("examples", "namespace.yaml"), Path.Combine(data, "namespace.yaml"));
            File.Copy(Repo.PathOf("examples", "approvals", "approved.yaml"), Path.Combine(data, "approved.yaml"));
            var tmp = Path.Combine(work.FullName, "tmp");
            Directory.CreateDirectory(tmp);
            await Run("chmod", ["-R", "a+rX", work.FullName]);
            await Run("chown", ["-R", $"{NonRootUid}:{NonRootUid}", tmp]);

            var port = FreePort();
            // The image has no .NET of its own: point the host at an empty folder, so the app can only
            // start on the runtime it carries.
            var noDotnet = Path.Combine(work.FullName, "no-dotnet");
            Directory.CreateDirectory(noDotnet);
            var start = new ProcessStartInfo("setpriv")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = tmp,
            };
            foreach (var arg in new[] { $"--reuid={NonRootUid}", $"--regid={NonRootUid}", "--clear-groups", "--",
                         Path.Combine(app, "admission"), "serve", "--approvals", data, "--listen", $"https://127.0.0.1:{port}",
                         "--tls-dir", Path.Combine(tmp, "tls") })
            {
                start.ArgumentList.Add(arg);
            }
            start.Environment["HOME"] = tmp;
            start.Environment["TMPDIR"] = tmp;
            start.Environment["DOTNET_ROOT"] = noDotnet;
            start.Environment["PATH"] = "/usr/bin:/bin";
            using var process = Process.Start(start)!;
            var output = new System.Text.StringBuilder();
            process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                var (status, body) = await PollReadyz(Path.Combine(tmp, "tls", "ca.crt"), port, process);
                Assert.True(status == HttpStatusCode.OK, $"/readyz answered {status}: {body}\n{output}");
                Assert.Contains("certificates: loaded", body, StringComparison.Ordinal);
                var uidLine = File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
                Assert.Equal(NonRootUid.ToString(System.Globalization.CultureInfo.InvariantCulture), uidLine.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<(HttpStatusCode, string)> PollReadyz(string caFile, int port, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            if (File.Exists(caFile))
            {
                try
                {
                    using var ca = X509CertificateLoader.LoadCertificateFromFile(caFile);
                    using var handler = new HttpClientHandler
                    {
                        ServerCertificateCustomValidationCallback = (_, cert, _, errors) => PrivateRoots.Trusts(ca, cert, errors),
                    };
                    using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
                    using var response = await client.GetAsync(new Uri($"https://127.0.0.1:{port}/readyz"));
                    return (response.StatusCode, await response.Content.ReadAsStringAsync());
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }
            }
            await Task.Delay(250);
        }
        return (0, process.HasExited ? $"process exited with {process.ExitCode}" : "timed out");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task Run(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} failed ({p.ExitCode}):\n{await stdout}\n{await stderr}");
    }
}
