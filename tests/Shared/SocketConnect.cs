using System.Net;
using System.Net.Sockets;

namespace Admission.Tests.Shared;

/// <summary>The dial for a <see cref="System.Net.Http.SocketsHttpHandler.ConnectCallback"/> that connects somewhere other than the URL's host.</summary>
internal static class SocketConnect
{
    /// <summary>A TCP connection to <paramref name="target"/> without Nagle's delay, as a stream that owns the socket; the socket is disposed when the connect fails.</summary>
    public static async ValueTask<Stream> ConnectAsync(EndPoint target, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
