namespace Admission.Chart.Tests.Infrastructure;

// KubernetesClient has no models for cert-manager's kinds. These hold just the cert-manager.io/v1
// fields the chart may use, read with the same strict reader, so a misspelled field fails here too
// (a field the chart starts to use must be added below, checked against cert-manager's API).

internal sealed class CertManagerIssuer : ObjectModel<CertManagerIssuerSpec>;

internal sealed class CertManagerIssuerSpec
{
    [JsonPropertyName("selfSigned")] public CertManagerSelfSigned? SelfSigned { get; set; }
    [JsonPropertyName("ca")] public CertManagerCaIssuer? Ca { get; set; }
}

internal sealed class CertManagerSelfSigned
{
    [JsonPropertyName("crlDistributionPoints")] public IList<string>? CrlDistributionPoints { get; set; }
}

internal sealed class CertManagerCaIssuer
{
    [JsonPropertyName("secretName")] public string? SecretName { get; set; }
}

internal sealed class CertManagerCertificate : ObjectModel<CertManagerCertificateSpec>;

internal sealed class CertManagerCertificateSpec
{
    [JsonPropertyName("secretName")] public string? SecretName { get; set; }
    [JsonPropertyName("commonName")] public string? CommonName { get; set; }
    [JsonPropertyName("isCA")] public bool? IsCA { get; set; }
    [JsonPropertyName("duration")] public string? Duration { get; set; }
    [JsonPropertyName("renewBefore")] public string? RenewBefore { get; set; }
    [JsonPropertyName("dnsNames")] public IList<string>? DnsNames { get; set; }
    [JsonPropertyName("usages")] public IList<string>? Usages { get; set; }
    [JsonPropertyName("privateKey")] public CertManagerPrivateKey? PrivateKey { get; set; }
    [JsonPropertyName("issuerRef")] public CertManagerIssuerRef? IssuerRef { get; set; }
}

internal sealed class CertManagerPrivateKey
{
    [JsonPropertyName("algorithm")] public string? Algorithm { get; set; }
    [JsonPropertyName("size")] public int? Size { get; set; }
    [JsonPropertyName("encoding")] public string? Encoding { get; set; }
    [JsonPropertyName("rotationPolicy")] public string? RotationPolicy { get; set; }
}

internal sealed class CertManagerIssuerRef
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    [JsonPropertyName("group")] public string? Group { get; set; }
}
