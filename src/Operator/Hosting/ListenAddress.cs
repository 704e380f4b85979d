using System.Net;

namespace Admission.Operator.Hosting;

/// <summary>What <c>--listen</c> may be (an https:// URL on an IP address or localhost) and the socket address it names.</summary>
public static class ListenAddress
{
    /// <summary>Why the URL cannot be listened on; null when it can.</summary>
    public static string? Problem(Uri listen)
    {
        if (listen.Scheme != Uri.UriSchemeHttps) return $"\"{listen}\" must be an https:// URL";
        return listen.Host is "localhost" || IPAddress.TryParse(listen.Host.Trim('[', ']'), out _)
            ? null
            : $"host \"{listen.Host}\" must be an IP address or localhost";
    }

    /// <summary>The socket address of a URL <see cref="Problem"/> accepted.</summary>
    public static IPEndPoint Endpoint(Uri listen)
    {
        if (Problem(listen) is { } problem) throw new Policies.InputException([new Policies.InputError("--listen", null, "", problem)]);
        var port = listen.IsDefaultPort ? 443 : listen.Port;
        return listen.Host is "localhost" ? new IPEndPoint(IPAddress.Loopback, port) : new IPEndPoint(IPAddress.Parse(listen.Host.Trim('[', ']')), port);
    }
}
