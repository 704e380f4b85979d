using System.Net.Security;
using Admission.Tests.Shared;

namespace Admission.TestApiServer.Admission;

/// <summary>
/// POSTs AdmissionReviews over HTTPS, trusting only the webhook's caBundle and checking the
/// host name, as kube-apiserver does.
/// </summary>
internal sealed class WebhookCaller : IDisposable
{
    private readonly ConcurrentDictionary<string, HttpMessageInvoker> _clients = new(StringComparer.Ordinal);

    public async Task<JsonObject> PostAsync(WebhookEndpoint endpoint, JsonObject review, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var client = _clients.GetOrAdd($"{endpoint.CaBundlePem}|{endpoint.ConnectTo}", _ => CreateClient(endpoint));
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new StringContent(Storage.JsonValues.Serialize(review), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        try
        {
            using var response = await client.SendAsync(request, timeoutSource.Token);
            var body = await response.Content.ReadAsStringAsync(timeoutSource.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new WebhookCallException(
                    $"failed to call webhook: the server responded with status {(int)response.StatusCode}: {Truncate(body)}");
            }

            return JsonNode.Parse(body) as JsonObject
                ?? throw new WebhookCallException("received invalid webhook response: not a JSON object");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WebhookCallException($"failed to call webhook: Post \"{endpoint.Url}\": context deadline exceeded");
        }
        catch (HttpRequestException e)
        {
            throw new WebhookCallException($"failed to call webhook: Post \"{endpoint.Url}\": {Describe(e)}");
        }
        catch (JsonException e)
        {
            throw new WebhookCallException($"received invalid webhook response: {e.Message}");
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }

    private static HttpMessageInvoker CreateClient(WebhookEndpoint endpoint)
    {
        var trusted = new X509Certificate2Collection();
        if (endpoint.CaBundlePem is { Length: > 0 } pem)
        {
            trusted.ImportFromPem(pem);
        }

        var handler = new SocketsHttpHandler
        {
            // A restarted webhook may present a new certificate; don't reuse connections for long.
            PooledConnectionLifetime = TimeSpan.FromSeconds(10),
            ConnectCallback = (context, token) => SocketConnect.ConnectAsync(endpoint.ConnectTo ?? context.DnsEndPoint, token),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                    Validate(trusted, certificate, chain, errors),
            },
        };
        return new HttpMessageInvoker(handler);
    }

    private static bool Validate(X509Certificate2Collection trusted, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)
            || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        if (trusted.Count == 0)
        {
            return errors == SslPolicyErrors.None;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }

    private static string Describe(Exception e)
    {
        var messages = new List<string>();
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            messages.Add(current.Message);
        }

        return string.Join(": ", messages.Distinct());
    }

    private static string Truncate(string text) => text.Length > 200 ? text[..200] : text;
}
