using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Admission.TestApiServer.Admission;
using Admission.TestApiServer.Auth;
using Admission.TestApiServer.Http;
using Admission.TestApiServer.Resources;
using Admission.TestApiServer.Storage;
using Admission.TestApiServer.Tls;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Admission.TestApiServer;

/// <summary>
/// An in-process Kubernetes API server for tests, over HTTPS on a random loopback port. See README.md
/// for what it serves and where it differs from kube-apiserver.
/// </summary>
public sealed class TestApiServer : IAsyncDisposable
{
    private readonly ServerState _state;
    private readonly CertificateAuthority _authority;
    private readonly X509Certificate2 _serving;
    private readonly RequestPipeline _pipeline;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private WebApplication? _host;
    private int _port;

    private TestApiServer(TestApiServerOptions options)
    {
        _state = new ServerState(options);
        _authority = CertificateAuthority.Create("admission-test-apiserver-ca");
        _serving = _authority.IssueServerCertificate("127.0.0.1", "localhost", "::1");
        _pipeline = new RequestPipeline(_state);
        _state.Store.Committed += change => OnStored?.Invoke(change);
        foreach (var ns in options.Namespaces)
        {
            Seed(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = ns },
            });
        }
    }

    /// <summary>Raised after every committed write, outside the store's lock.</summary>
    public event Action<StoredChange>? OnStored;

    /// <summary>Creates the server and starts listening on https://127.0.0.1 at a random port.</summary>
    public static async Task<TestApiServer> StartAsync(TestApiServerOptions? options = null)
    {
        var server = new TestApiServer(options ?? new TestApiServerOptions());
        await server.StartAsync();
        return server;
    }

    public string BaseUrl => $"https://127.0.0.1:{_port}";

    public int Port => _port;

    /// <summary>The CA that signed the serving certificate, in PEM: what a kubeconfig's certificate-authority-data holds.</summary>
    public string CaPem => _authority.CaPem;

    public X509Certificate2 CaCertificate => _authority.Certificate;

    public bool IsRunning => _host is not null;

    public ResourceCatalog Resources => _state.Catalog;

    /// <summary>The latest resourceVersion written.</summary>
    public long ResourceVersion => _state.Store.CurrentResourceVersion;

    /// <summary>Open watch streams.</summary>
    public int WatchCount => _state.Store.WatchCount;

    /// <summary>While true, open watches write nothing (no events, no bookmarks) but stay open.</summary>
    public bool StallWatches
    {
        get => _state.StallWatches;
        set => _state.StallWatches = value;
    }

    /// <summary>Optional authorization: return false to refuse with 403. Without it, everything is allowed (no RBAC).</summary>
    public Func<AuthorizationAttributes, bool>? Authorize
    {
        get => _state.Authorize;
        set => _state.Authorize = value;
    }

    /// <summary>Maps a webhook's clientConfig.service to the loopback URL (scheme, host, port) where it listens.</summary>
    public Func<ServiceReference, Uri>? ServiceResolver
    {
        get => _state.ServiceResolver;
        set => _state.ServiceResolver = value;
    }

    public IReadOnlyList<RequestRecord> Requests => [.. _state.Requests];

    /// <summary>Every committed write, in resourceVersion order.</summary>
    public IReadOnlyList<StoredChange> Changes => _state.Store.Changes;

    /// <summary>
    /// Registers a bearer token for a user. kube-apiserver adds system:authenticated to every
    /// authenticated user's groups, and so does this.
    /// </summary>
    public UserInfo AddUser(string token, string username, IEnumerable<string>? groups = null, string? uid = null,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? extra = null)
    {
        var allGroups = (groups ?? []).Append(TokenAuthenticator.AuthenticatedGroup).Distinct().ToList();
        var user = new UserInfo(username, uid ?? $"uid-{username}", allGroups, extra ?? new Dictionary<string, IReadOnlyList<string>>());
        _state.Tokens.Add(token, user);
        return user;
    }

    /// <summary>Writes a kubeconfig for a user added with <see cref="AddUser"/>, with a context whose default namespace is <paramref name="namespace"/>.</summary>
    public void WriteKubeconfig(string path, string username, string? @namespace = null) =>
        File.WriteAllText(path, Kubeconfig.Render(BaseUrl, CaPem, username, TokenOf(username), @namespace));

    /// <summary>A KubernetesClient configuration for a user added with <see cref="AddUser"/>.</summary>
    public KubernetesClientConfiguration ClientConfiguration(string username, string? @namespace = null) => new()
    {
        Host = BaseUrl,
        AccessToken = TokenOf(username),
        SslCaCerts = [X509CertificateLoader.LoadCertificate(_authority.Certificate.RawData)],
        Namespace = @namespace,
    };

    public Kubernetes CreateClient(string username, string? @namespace = null) => new(ClientConfiguration(username, @namespace));

    /// <summary>A plain HttpClient with BaseAddress, the CA trusted and the user's bearer token, for raw requests.</summary>
    public HttpClient CreateHttpClient(string? username)
    {
        var ca = X509CertificateLoader.LoadCertificate(_authority.Certificate.RawData);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) != 0)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    return chain.Build(leaf);
                },
            },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri(BaseUrl) };
        if (username is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TokenOf(username));
        }

        return client;
    }

    /// <summary>Stores an object directly, with no authentication or admission, replacing any with the same name.</summary>
    public JsonObject Seed(JsonObject obj)
    {
        var resource = ResourceOf(obj);
        var ns = resource.Namespaced ? Meta.Namespace(obj) : null;
        var existing = _state.Store.Get(resource, ns ?? "", Meta.Name(obj));
        if (existing is null)
        {
            var prepared = ObjectPreparation.ForCreate(resource, WithoutResourceVersion(obj), ns);
            if (obj["status"] is { } status)
            {
                prepared["status"] = status.DeepClone();
            }

            return _state.Store.Create(resource, prepared, "").Object!;
        }

        var updated = (JsonObject)obj.DeepClone();
        Meta.Metadata(updated)["uid"] = existing["metadata"]?["uid"]?.DeepClone();
        Meta.Metadata(updated)["creationTimestamp"] = existing["metadata"]?["creationTimestamp"]?.DeepClone();
        Defaulting.Apply(resource, updated);
        return _state.Store.Update(resource, updated, Meta.ResourceVersion(existing), "", "").Object!;
    }

    public JsonObject? Get(string group, string plural, string? @namespace, string name)
    {
        var resource = _state.Catalog.Find(group, plural) ?? throw new ArgumentException($"{plural}.{group} is not served");
        return _state.Store.Get(resource, @namespace ?? "", name);
    }

    /// <summary>Forgets all history: open watches get a 410 Gone ERROR event and end; watches from older resourceVersions get 410.</summary>
    public void ExpireResourceVersions() => _state.Store.ExpireAll();

    /// <summary>Ends every open watch cleanly, as kube-apiserver does at a watch timeout.</summary>
    public void CloseWatches() => _state.Store.CloseAll();

    /// <summary>Starts listening again (on the same port after a <see cref="StopAsync"/>), with the same data.</summary>
    public async Task StartAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_host is not null)
            {
                return;
            }

            var host = BuildHost(_port);
            await host.StartAsync();
            _host = host;
            _port = host.Urls.Select(u => new Uri(u).Port).First();
            _state.ServerAddress = $"127.0.0.1:{_port}";
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Stops listening: new connections are refused and open ones (watches included) are cut.
    /// Data, users and the port are kept for <see cref="StartAsync"/>.
    /// </summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_host is null)
            {
                return;
            }

            using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
            {
                await _host.StopAsync(grace.Token);
            }

            await _host.DisposeAsync();
            _host = null;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _state.Dispose();
        _serving.Dispose();
        _authority.Dispose();
        _lifecycle.Dispose();
    }

    private WebApplication BuildHost(int port)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.ResponseHeaderEncodingSelector = _ => Encoding.UTF8;
            kestrel.Limits.MaxRequestBodySize = 16 * 1024 * 1024;
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(_serving);
            });
        });
        var app = builder.Build();
        app.Run(_pipeline.HandleAsync);
        return app;
    }

    private string TokenOf(string username) =>
        _state.Tokens.TokenFor(username) ?? throw new ArgumentException($"no user \"{username}\": call AddUser first", nameof(username));

    private ResourceDefinition ResourceOf(JsonObject obj)
    {
        var apiVersion = obj["apiVersion"]?.ToString() ?? "";
        var kind = obj["kind"]?.ToString() ?? "";
        var group = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
        return _state.Catalog.All.FirstOrDefault(d => d.Group == group && d.Kind == kind && !d.CreateOnly)
            ?? throw new ArgumentException($"{apiVersion} {kind} is not served");
    }

    private static JsonObject WithoutResourceVersion(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        Meta.Metadata(copy).Remove("resourceVersion");
        return copy;
    }
}
