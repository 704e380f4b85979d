namespace Admission.TestApiServer.Auth;

/// <summary>Static bearer tokens, like kube-apiserver's --token-auth-file.</summary>
internal sealed class TokenAuthenticator
{
    // kube-apiserver adds this group to every authenticated user; webhooks and policies see it.
    public const string AuthenticatedGroup = "system:authenticated";

    private readonly ConcurrentDictionary<string, UserInfo> _byToken = new(StringComparer.Ordinal);

    public void Add(string token, UserInfo user) => _byToken[token] = user;

    public UserInfo? Authenticate(string? authorizationHeader)
    {
        const string prefix = "Bearer ";
        if (authorizationHeader is null || !authorizationHeader.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return _byToken.TryGetValue(authorizationHeader[prefix.Length..].Trim(), out var user) ? user : null;
    }

    public string? TokenFor(string username) =>
        _byToken.FirstOrDefault(pair => pair.Value.Username == username).Key;
}
