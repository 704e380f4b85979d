using Admission.Operator.Hosting;

namespace Admission.Operator.Cluster;

/// <summary>
/// The plain values cluster mode's services are built with, bound once from <see cref="ServeOptions"/>
/// and registered as a singleton, so that each service is registered by its type and takes these and
/// its other services through its constructor. The time bounds are <see cref="ClusterTimings"/>.
/// </summary>
/// <param name="Namespace">The namespace to run in: of the Lease and of the 'self' certificate Secret.</param>
/// <param name="Identity">This replica's identity in the Lease and in the events it writes.</param>
/// <param name="LeaseName">The Lease the replicas elect their leader with.</param>
internal sealed record ClusterSettings(string Namespace, string Identity, string LeaseName)
{
    /// <summary>How long the cache may go without hearing from the API server and still be ready (<c>--max-cache-staleness</c>).</summary>
    public TimeSpan MaxCacheStaleness { get; init; } = ServeOptions.DefaultMaxCacheStaleness;

    /// <summary>The Secret of 'self' certificates (<c>--cert-secret</c>); null without them.</summary>
    public string? CertSecret { get; init; }

    /// <summary>The ValidatingWebhookConfiguration whose CA bundle the leader keeps ('self' certificates); null for none.</summary>
    public string? WebhookConfiguration { get; init; }

    /// <summary>The names a 'self' serving certificate is issued for: localhost, 127.0.0.1 and each <c>--dns-name</c>.</summary>
    public IReadOnlyList<string> ServingNames { get; init; } = [];

    public static ClusterSettings From(ServeOptions options, string ns) =>
        new(ns, LeaseLeaderElection.NewIdentity(options.PodName), options.LeaseName)
        {
            MaxCacheStaleness = options.MaxCacheStaleness,
            CertSecret = options.CertSecret,
            WebhookConfiguration = options.WebhookConfiguration,
            ServingNames = options.ServingNames,
        };
}
