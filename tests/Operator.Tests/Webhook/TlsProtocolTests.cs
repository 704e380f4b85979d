using System.Security.Authentication;

namespace Admission.Operator.Tests.Webhook;

/// <summary>The webhook speaks TLS 1.2 and 1.3 only, with the certificate it generated.</summary>
public sealed class TlsProtocolTests
{
    [Fact]
    public async Task Only_TLS_1_2_and_1_3_are_negotiated()
    {
        await using var server = await ServeProcess.StartWithExampleNamespaceAsync("admission-tls-");
        using var ca = X509CertificateLoader.LoadCertificateFromFile(server.CaFile);

        Assert.Equal(SslProtocols.Tls13, await Handshake(server.Port, ca, SslProtocols.Tls13));
        Assert.Equal(SslProtocols.Tls12, await Handshake(server.Port, ca, SslProtocols.Tls12));
#pragma warning disable SYSLIB0039, CA5397 // deliberately offering the old protocols the server must refuse
        foreach (var old in new[] { SslProtocols.Tls11, SslProtocols.Tls })
        {
            await Assert.ThrowsAnyAsync<Exception>(() => Handshake(server.Port, ca, old));
        }
#pragma warning restore SYSLIB0039, CA5397
    }

    private static async Task<SslProtocols> Handshake(int port, X509Certificate2 ca, SslProtocols offer)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, cert, _, errors) => Admission.Tests.Shared.PrivateRoots.Trusts(ca, cert, errors));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = offer });
        return ssl.SslProtocol;
    }
}
