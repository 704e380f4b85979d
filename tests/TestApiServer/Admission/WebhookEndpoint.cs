namespace Admission.TestApiServer.Admission;

/// <summary>Where and how to reach one webhook.</summary>
/// <param name="Url">The URL posted to; its host is the name TLS verifies.</param>
/// <param name="CaBundlePem">clientConfig.caBundle decoded; null means the system trust store.</param>
/// <param name="ConnectTo">For a service reference, the loopback endpoint actually dialled.</param>
internal sealed record WebhookEndpoint(Uri Url, string? CaBundlePem, DnsEndPoint? ConnectTo);
