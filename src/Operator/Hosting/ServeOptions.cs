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

    /// <summary>On a stop, how long /readyz fails while the listener stays open, before in-flight reviews are finished.</summary>
    public TimeSpan DrainDelay { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// After the drain delay, how long the reviews in flight may take to finish. kube-apiserver
    /// gives up on a webhook call after at most 30 s (the chart sets 5 s), so nothing longer is owed.
    /// </summary>
    public static readonly TimeSpan InFlightGrace = TimeSpan.FromSeconds(25);

    public WebhookLimits Limits { get; init; } = WebhookLimits.Default;

    public bool LocalMode => Approvals.Count > 0;
}
