namespace Admission.Operator.Hosting;

public sealed record ServeOptions
{
    public Uri Listen { get; init; } = new("https://127.0.0.1:8443");
    public string? PolicyFile { get; init; }
    public IReadOnlyList<string> Approvals { get; init; } = [];
    public string? Kubeconfig { get; init; }
    public string? TlsCert { get; init; }
    public string? TlsKey { get; init; }
    public string TlsDir { get; init; } = ".admission/tls";
    public IReadOnlyList<string> DnsNames { get; init; } = [];
    public TimeSpan MaxCacheStaleness { get; init; } = TimeSpan.FromSeconds(60);
    public string LogFormat { get; init; } = "text";
    public string? Namespace { get; init; }
    public string LeaseName { get; init; } = "admission-operator";
    public bool LeaderElection { get; init; } = true;
    public string? CertSecret { get; init; }
    public string? WebhookConfiguration { get; init; }
    /// <summary>Cluster mode: the notification receivers file (a mounted Secret); none when null.</summary>
    public string? Notifications { get; init; }
    /// <summary>Cluster mode: the operator's own username; break-glass admissions get a retrospective ChangeApproval only when set.</summary>
    public string? OperatorUser { get; init; }

    public WebhookLimits Limits { get; init; } = WebhookLimits.Default;

    public bool LocalMode => Approvals.Count > 0;
}
