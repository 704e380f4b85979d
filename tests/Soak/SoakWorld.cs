using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Admission.Soak;

/// <summary>
/// The test API server with a Tier-1 namespace and a Deployment, and one <c>admission serve</c>
/// process in cluster mode (leader election on, so the status operator runs too) watching it.
/// </summary>
public sealed class SoakWorld : IAsyncDisposable
{
    public const string Ns = "payments";
    private readonly Process _process;
    private readonly string _dir;

    private SoakWorld(TestApiServer.TestApiServer api, Process process, string dir, int port, HttpClient http, k8s.Kubernetes admin)
    {
        Api = api;
        _process = process;
        _dir = dir;
        Port = port;
        Http = http;
        Admin = admin;
    }

    public TestApiServer.TestApiServer Api { get; }
    public int Port { get; }
    public int Pid => _process.Id;
    public bool Exited => _process.HasExited;
    public HttpClient Http { get; }
    public k8s.Kubernetes Admin { get; }

    /// <summary>From the process's start to its first 200 from /readyz.</summary>
    public TimeSpan Ready { get; private set; }

    /// <param name="held">
    /// ChangeApprovals put in place before the webhook starts, as a cluster that has them holds them
    /// (<c>--approvals</c>), across 100 Tier-1 namespaces: each approved by two people, for a
    /// Deployment the reviews never change, binding no change, so no expected decision depends on them.
    /// </param>
    public static async Task<SoakWorld> StartAsync(int held = 0)
    {
        var api = await TestApiServer.TestApiServer.StartAsync(new TestApiServer.TestApiServerOptions { BookmarkInterval = TimeSpan.FromSeconds(1) });
        var dir = Directory.CreateTempSubdirectory("admission-soak-").FullName;
        api.AddUser("admin-token", "admin", ["system:masters"]);
        const string user = "system:serviceaccount:admission-system:admission";
        api.AddUser("admission-token", user, ["system:serviceaccounts"]);
        var kubeconfig = Path.Combine(dir, "admission.kubeconfig");
        api.WriteKubeconfig(kubeconfig, user, "admission-system");
        api.Seed(Node(new { apiVersion = "v1", kind = "Namespace", metadata = new { name = "admission-system" } }));
        api.Seed(TierOneNamespace(Ns));
        // Spread over 100 Tier-1 namespaces, as the load test spreads them: the reviews' namespace holds a hundredth.
        for (var n = 1; n < Math.Min(held, 100); n++) api.Seed(TierOneNamespace(HeldNamespace(n)));
        for (var i = 0; i < held; i++) api.Seed(Held(i));

        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "admission.dll"), "serve", "--kubeconfig", kubeconfig, "--tls-dir", Path.Combine(dir, "tls"),
                     "--listen", $"https://127.0.0.1:{port}", "--namespace", "admission-system", "--drain-delay", "0s"])
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["POD_NAME"] = "admission-0";
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start admission serve");
        // The decision log is one line per review: read and dropped, so a full pipe never stalls the server.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("admission: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var caFile = Path.Combine(dir, "tls", "ca.crt");
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(caFile))
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(60)) throw new InvalidOperationException("admission serve did not start");
            await Task.Delay(100);
        }
        await Task.Delay(200); // the CA file is written whole before the key pair it signs; give it a moment to be complete
        var http = Client(caFile, port);
        var world = new SoakWorld(api, process, dir, port, http, api.CreateClient("admin", Ns));
        while (true)
        {
            try
            {
                using var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
                if (ready.StatusCode == HttpStatusCode.OK) break;
            }
            catch (HttpRequestException)
            {
            }
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(60)) throw new InvalidOperationException("admission serve never became ready");
            await Task.Delay(200);
        }
        world.Ready = deadline.Elapsed;
        return world;
    }

    private static JsonObject TierOneNamespace(string name) =>
        Node(new { apiVersion = "v1", kind = "Namespace", metadata = new { name, labels = new Dictionary<string, string> { ["approvals.admission.dev/tier"] = "1" } } });

    /// <summary>A timestamp as the API server writes one.</summary>
    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string HeldNamespace(int n) => n == 0 ? Ns : $"team-{n}";

    private static JsonObject Held(int i)
    {
        var now = DateTimeOffset.UtcNow;
        return Node(new
        {
            apiVersion = "approvals.admission.dev/v1alpha1",
            kind = "ChangeApproval",
            metadata = new { name = $"held-{i}", @namespace = HeldNamespace(i % 100) },
            spec = new
            {
                target = new { apiGroup = "apps", kind = "Deployment", name = $"held-{i % 500}" },
                operations = new[] { "UPDATE" },
                reason = "held " + i,
                requestedBy = "carol",
                expiresAt = Time(now.AddHours(3)),
                approvals = new[] { new { approver = "alice", approvedAt = Time(now) }, new { approver = "bob", approvedAt = Time(now) } },
            },
        });
    }

    private static HttpClient Client(string caFile, int port)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(caFile);
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 8,
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => Admission.Tests.Shared.PrivateRoots.Trusts(ca, certificate),
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public static JsonObject Node(object value) => JsonSerializer.SerializeToNode(value)!.AsObject();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Http.Dispose();
        Admin.Dispose();
        await Api.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
