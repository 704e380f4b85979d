namespace Admission.Operator.Tests.Support;

/// <summary>
/// <c>serve --tls-cert --tls-key</c> on PEM files written into a temporary folder (under
/// <c>folder</c>), deciding against the example Namespace, with a second serving certificate
/// ready to replace the first: what the certificate reload tests share.
/// </summary>
internal sealed class PemServe : IAsyncDisposable
{
    private readonly string _folder;

    private PemServe(string folder, X509Certificate2 ca, X509Certificate2 secondCa, IReadOnlyList<string> names)
    {
        _folder = folder;
        var now = DateTimeOffset.UtcNow;
        Ca = ca;
        SecondCa = secondCa;
        First = CertificateAuthority.IssueServing(ca, names, now, TimeSpan.FromDays(1));
        Second = CertificateAuthority.IssueServing(secondCa, names, now, TimeSpan.FromDays(1));
        Trust = ReferenceEquals(ca, secondCa) ? new ApiServerClient(ca) : new ApiServerClient(ca, secondCa);
    }

    public TempDir Dir { get; } = new();

    /// <summary>The CA that signed <see cref="First"/>.</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>The CA that signed <see cref="Second"/>: <see cref="Ca"/> unless the test rotates the CA too.</summary>
    public X509Certificate2 SecondCa { get; }

    /// <summary>The certificate served at start.</summary>
    public X509Certificate2 First { get; }

    /// <summary>The certificate the test writes over the first.</summary>
    public X509Certificate2 Second { get; }

    /// <summary>Like an API server whose caBundle holds both CAs.</summary>
    public ApiServerClient Trust { get; }

    public ServeProcess Server { get; private set; } = null!;

    /// <summary>
    /// Serves <see cref="First"/> for <paramref name="names"/>; with <paramref name="newCa"/>, the
    /// second certificate comes from a CA of its own.
    /// </summary>
    public static async Task<PemServe> StartAsync(string[] names, bool newCa = false, string folder = "")
    {
        var now = DateTimeOffset.UtcNow;
        var ca = CertificateAuthority.CreateCa("test CA", now, TimeSpan.FromDays(2));
        var secondCa = newCa ? CertificateAuthority.CreateCa("test CA 2", now, TimeSpan.FromDays(2)) : ca;
        var pem = new PemServe(folder, ca, secondCa, names);
        try
        {
            pem.Dir.Write(pem.File("tls.crt"), CertificateAuthority.CertificatePem(pem.First));
            pem.Dir.Write(pem.File("tls.key"), CertificateAuthority.KeyPem(pem.First));
            pem.Dir.Write(pem.File("ca.crt"), CertificateAuthority.CertificatePem(ca));
            System.IO.File.Copy(Repo.Example("namespace.yaml"), pem.Dir.File("namespace.yaml"));
            pem.Server = await ServeProcess.StartAsync(new ServeSettings
            {
                Approvals = [pem.Dir.File("namespace.yaml")],
                TlsCert = pem.Dir.File(pem.File("tls.crt")),
                TlsKey = pem.Dir.File(pem.File("tls.key")),
                CaFile = pem.Dir.File(pem.File("ca.crt")),
            });
            return pem;
        }
        catch
        {
            await pem.DisposeAsync();
            throw;
        }
    }

    /// <summary>Replaces tls.crt or tls.key (a name under the folder) in one step, as a Secret rotation does.</summary>
    public void Replace(string name, string content) => Dir.WriteAtomically(File(name), content);

    private string File(string name) => _folder.Length == 0 ? name : _folder + "/" + name;

    public async ValueTask DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        First.Dispose();
        Second.Dispose();
        Ca.Dispose();
        if (!ReferenceEquals(Ca, SecondCa)) SecondCa.Dispose();
        Dir.Dispose();
    }
}
