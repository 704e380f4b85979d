using k8s;

namespace Admission.TestApiServer;

/// <summary>Ways for tests and the programs they start to reach the server as a given user.</summary>
public sealed partial class TestApiServer
{
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
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => global::Admission.Tests.Shared.PrivateRoots.Trusts(ca, certificate, errors),
            },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri(BaseUrl) };
        if (username is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TokenOf(username));
        }

        return client;
    }

    private string TokenOf(string username) =>
        _state.Tokens.TokenFor(username) ?? throw new ArgumentException($"no user \"{username}\": call AddUser first", nameof(username));
}
