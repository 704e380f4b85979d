namespace Admission.Operator.Cluster;

/// <summary>
/// The service keys of cluster mode's list-watch sources: each is one service's own collection,
/// registered by type under its key and injected where it is wanted with <c>[FromKeyedServices]</c>.
/// </summary>
internal static class ListWatchKeys
{
    public const string ChangeApprovals = "ChangeApprovals";

    public const string Namespaces = "Namespaces";

    /// <summary>The 'self' certificate Secret.</summary>
    public const string CertificateSecret = "CertificateSecret";
}
