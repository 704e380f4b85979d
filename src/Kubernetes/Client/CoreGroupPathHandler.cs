namespace Admission.Kubernetes;

/// <summary>
/// KubernetesClient's custom-object calls build <c>/apis/GROUP/…</c>; for the core group that is
/// <c>/apis//v1/…</c>, which this handler turns into <c>/api/v1/…</c>, so one generic code path
/// reads Namespaces, ConfigMaps, bare Pods and workloads of any group alike.
/// </summary>
public sealed class CoreGroupPathHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestUri is { } uri && uri.AbsolutePath.Contains("/apis//", StringComparison.Ordinal))
        {
            request.RequestUri = new UriBuilder(uri) { Path = uri.AbsolutePath.Replace("/apis//", "/api/", StringComparison.Ordinal) }.Uri;
        }
        return base.SendAsync(request, cancellationToken);
    }
}
