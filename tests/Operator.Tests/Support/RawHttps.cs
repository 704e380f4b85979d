namespace Admission.Operator.Tests.Support;

/// <summary>
/// A bare HTTP/1.1 POST over TLS that reads the response while it is still sending the body, as
/// kube-apiserver's (Go) client and curl do. HttpClient gives up with "broken pipe" when a server
/// answers early and closes the connection, which is exactly what a server does with a body that
/// is too large; this client sees the answer.
/// </summary>
public static class RawHttps
{
    public sealed record Response(int Status, string Head, string Body);

    public static async Task<Response> PostAsync(ServeProcess server, string path, byte[] body, string contentType, bool chunked)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port);
        var trust = ApiServerClient.TrustingCaFile(server.CaFile);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1", RemoteCertificateValidationCallback = trust.Validate });

        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\nContent-Type: {contentType}\r\n")
            .Append(chunked ? "Transfer-Encoding: chunked\r\n" : string.Create(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n"))
            .Append("\r\n").ToString();

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var reading = ReadResponseAsync(tls, cts.Token);
        var writing = Task.Run(async () =>
        {
            try
            {
                await tls.WriteAsync(Encoding.ASCII.GetBytes(head), cts.Token);
                for (var offset = 0; offset < body.Length && !reading.IsCompleted; offset += 64 * 1024)
                {
                    var piece = body.AsMemory(offset, Math.Min(64 * 1024, body.Length - offset));
                    if (chunked) await tls.WriteAsync(Encoding.ASCII.GetBytes($"{piece.Length:x}\r\n"), cts.Token);
                    await tls.WriteAsync(piece, cts.Token);
                    if (chunked) await tls.WriteAsync("\r\n"u8.ToArray(), cts.Token);
                }
                if (chunked && !reading.IsCompleted) await tls.WriteAsync("0\r\n\r\n"u8.ToArray(), cts.Token);
            }
            catch (IOException)
            {
                // the server answered and closed the connection before the body was sent: expected here
            }
            catch (ObjectDisposedException)
            {
            }
        });
        var response = await reading;
        await writing;
        return response;
    }

    private static async Task<Response> ReadResponseAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            int n;
            try
            {
                n = await stream.ReadAsync(chunk, ct);
            }
            catch (IOException)
            {
                n = 0;
            }
            if (n > 0) buffer.Write(chunk, 0, n);
            var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var head = text[..end];
                var rest = text[(end + 4)..];
                var headers = head.Split("\r\n");
                var status = int.Parse(headers[0].Split(' ')[1], CultureInfo.InvariantCulture);
                var length = headers.FirstOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                if (length is not null && rest.Length >= int.Parse(length["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture))
                {
                    return new Response(status, head, rest);
                }
                if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) && rest.EndsWith("0\r\n\r\n", StringComparison.Ordinal))
                {
                    return new Response(status, head, Dechunk(rest));
                }
                if (n == 0) return new Response(status, head, rest);
            }
            if (n == 0) throw new IOException($"connection closed before a complete response: {text}");
        }
    }

    private static string Dechunk(string body)
    {
        var result = new StringBuilder();
        var i = 0;
        while (i < body.Length)
        {
            var eol = body.IndexOf("\r\n", i, StringComparison.Ordinal);
            var size = int.Parse(body[i..eol], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0) break;
            result.Append(body, eol + 2, size);
            i = eol + 2 + size + 2;
        }
        return result.ToString();
    }
}
