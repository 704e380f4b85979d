using Admission.TestApiServer.Tls;

namespace Admission.TestApiServer;

/// <summary>
/// An in-process Kubernetes API server for tests, over HTTPS on a random loopback port. See README.md
/// for what it serves and where it differs from kube-apiserver.
/// </summary>
public sealed partial class TestApiServer : IAsyncDisposable
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

            return Normalized(_state.Store.Create(resource, prepared, "").Object!);
        }

        var updated = (JsonObject)obj.DeepClone();
        Meta.Metadata(updated)["uid"] = existing["metadata"]?["uid"]?.DeepClone();
        Meta.Metadata(updated)["creationTimestamp"] = existing["metadata"]?["creationTimestamp"]?.DeepClone();
        Defaulting.Apply(resource, updated);
        return Normalized(_state.Store.Update(resource, updated, Meta.ResourceVersion(existing), "", "").Object!);
    }

    public JsonObject? Get(string group, string plural, string? @namespace, string name)
    {
        var resource = _state.Catalog.Find(group, plural) ?? throw new ArgumentException($"{plural}.{group} is not served");
        return _state.Store.Get(resource, @namespace ?? "", name) is { } found ? Normalized(found) : null;
    }

    /// <summary>Every stored object of a type, in one namespace or (null) all, as a client would read them.</summary>
    public IReadOnlyList<JsonObject> List(string group, string plural, string? @namespace)
    {
        var resource = _state.Catalog.Find(group, plural) ?? throw new ArgumentException($"{plural}.{group} is not served");
        return [.. _state.Store.List(resource, @namespace).Items.Select(Normalized)];
    }

    private ResourceDefinition ResourceOf(JsonObject obj)
    {
        var apiVersion = obj["apiVersion"]?.ToString() ?? "";
        var kind = obj["kind"]?.ToString() ?? "";
        var group = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
        return _state.Catalog.All.FirstOrDefault(d => d.Group == group && d.Kind == kind && !d.CreateOnly)
            ?? throw new ArgumentException($"{apiVersion} {kind} is not served");
    }

    /// <summary>Through text and back, so callers get the number types a client would, not those the server built.</summary>
    private static JsonObject Normalized(JsonObject obj) => (JsonObject)JsonNode.Parse(obj.ToJsonString())!;

    private static JsonObject WithoutResourceVersion(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        Meta.Metadata(copy).Remove("resourceVersion");
        return copy;
    }
}
