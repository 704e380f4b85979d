namespace Admission.Chart.Tests.Infrastructure;

// KubernetesClient has no models for cert-manager's kinds. These hold just the cert-manager.io/v1
// fields the chart may use, read with the same strict reader, so a misspelled field fails here too
// (a field the chart starts to use must be added below, checked against cert-manager's API).
// Each parameter is a field: its JSON name is the parameter's name in camelCase, as KubernetesClient's
// JSON options (which the strict reader uses) write every name.

internal sealed class CertManagerIssuer : ObjectModel<CertManagerIssuerSpec>;

internal sealed record CertManagerIssuerSpec(CertManagerSelfSigned? SelfSigned, CertManagerCaIssuer? Ca);

internal sealed record CertManagerSelfSigned(IList<string>? CrlDistributionPoints);

internal sealed record CertManagerCaIssuer(string? SecretName);

internal sealed class CertManagerCertificate : ObjectModel<CertManagerCertificateSpec>;

internal sealed record CertManagerCertificateSpec(
    string? SecretName,
    string? CommonName,
    bool? IsCA,
    string? Duration,
    string? RenewBefore,
    IList<string>? DnsNames,
    IList<string>? Usages,
    CertManagerPrivateKey? PrivateKey,
    CertManagerIssuerRef? IssuerRef);

internal sealed record CertManagerPrivateKey(string? Algorithm, int? Size, string? Encoding, string? RotationPolicy);

internal sealed record CertManagerIssuerRef(string? Name, string? Kind, string? Group);
