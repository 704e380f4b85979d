using System.Threading.Channels;
using Admission.Tests.Shared;

namespace Admission.TestApiServer.Tests.Support;

/// <summary>A watch read line by line over plain HTTP, to see exactly what the server sends.</summary>
internal sealed class RawWatch : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<JsonObject> _lines = Channel.CreateUnbounded<JsonObject>();
    private readonly Task _reader;

    private RawWatch(HttpClient client, HttpResponseMessage response)
    {
        _client = client;
        Response = response;
        _reader = Task.Run(ReadAsync);
    }

    public HttpResponseMessage Response { get; }

    /// <summary>Set when the server ended the stream (cleanly or not).</summary>
    public Task Ended => _reader;

    public static async Task<RawWatch> OpenAsync(TestApiServer server, string user, string pathAndQuery)
    {
        var client = server.CreateHttpClient(user);
        var response = await client.GetAsync(pathAndQuery, HttpCompletionOption.ResponseHeadersRead);
        return new RawWatch(client, response);
    }

    /// <summary>The next line, or null if none comes within <paramref name="wait"/> or the stream ended.</summary>
    public async Task<JsonObject?> NextAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            return await _lines.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public async Task<JsonObject> NextOfTypeAsync(string type, TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (DateTime.UtcNow < deadline)
        {
            var line = await NextAsync(deadline - DateTime.UtcNow);
            if (line?["type"]?.ToString() == type)
            {
                return line;
            }
        }

        throw new TimeoutException($"no {type} event within {wait}");
    }

    public async ValueTask DisposeAsync()
    {
        await BackgroundLoop.StopAsync(_stop, _reader);
        Response.Dispose();
        _client.Dispose();
        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            using var reader = new StreamReader(await Response.Content.ReadAsStreamAsync(_stop.Token));
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length > 0)
                {
                    await _lines.Writer.WriteAsync((JsonObject)JsonNode.Parse(line)!);
                }
            }
        }
        finally
        {
            _lines.Writer.TryComplete();
        }
    }
}
