namespace Admission.TestApiServer;

/// <summary>A kubeconfig with one cluster, one user (bearer token) and one current context.</summary>
internal static class Kubeconfig
{
    public static string Render(string server, string caPem, string username, string token, string? defaultNamespace)
    {
        var ca = Convert.ToBase64String(Encoding.UTF8.GetBytes(caPem));
        var ns = defaultNamespace is { Length: > 0 } ? $"\n    namespace: {Quote(defaultNamespace)}" : "";
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: admission-test
              cluster:
                server: {server}
                certificate-authority-data: {ca}
            users:
            - name: {Quote(username)}
              user:
                token: {Quote(token)}
            contexts:
            - name: admission-test
              context:
                cluster: admission-test
                user: {Quote(username)}{ns}
            current-context: admission-test
            preferences: {"{}"}

            """;
    }

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
