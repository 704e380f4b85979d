using Admission.Operator.Cluster;
using Admission.Operator.Notifications;

namespace Admission.Operator.Hosting;

/// <summary>
/// Everything <c>admission serve</c> was told, bound once from the command line and the
/// environment by <see cref="Cli.ServeOptionsBinder"/>; the host and its services read only this.
/// Every default is written here, beside why it is that value; the command's help text quotes them.
/// </summary>
public sealed record ServeOptions
{
    /// <summary>Local mode listens on loopback only: a webhook on a workstation serves that workstation's tests.</summary>
    public static readonly Uri LocalListen = new("https://127.0.0.1:8443");

    /// <summary>In a pod, every address: kube-apiserver reaches it through the Service at an IP not known ahead.</summary>
    public static readonly Uri ClusterListen = new("https://0.0.0.0:8443");

    /// <summary>Local mode stops at once: nothing routes reviews by its readiness.</summary>
    public static readonly TimeSpan LocalDrainDelay = TimeSpan.Zero;

    /// <summary>
    /// Cluster mode keeps serving this long after SIGTERM with /readyz failing: the Service's
    /// endpoints take a few seconds to drop a terminating pod, and reviews sent meanwhile must be answered.
    /// </summary>
    public static readonly TimeSpan ClusterDrainDelay = TimeSpan.FromSeconds(5);

    /// <summary>Where generated certificates are kept: beside the work, not in a system folder a newcomer cannot write.</summary>
    public const string DefaultTlsDir = ".admission/tls";

    /// <summary>
    /// Longer than the stall timeout plus a relist: a quiet watch hears a bookmark about every 65 s,
    /// is relisted after 90 s of silence, and a quarter of the bound is left for that relist
    /// (docs/operating.md, "Approval cache timings").
    /// </summary>
    public static readonly TimeSpan DefaultMaxCacheStaleness = TimeSpan.FromSeconds(120);

    /// <summary>The chart's Lease name.</summary>
    public const string DefaultLeaseName = "admission-operator";

    /// <summary>text for people, json for a log pipeline.</summary>
    public const string DefaultLogFormat = "text";

    /// <summary>
    /// After the drain delay, how long the reviews in flight may take to finish. kube-apiserver
    /// gives up on a webhook call after at most 30 s (the chart sets 5 s), so nothing longer is owed.
    /// </summary>
    public static readonly TimeSpan InFlightGrace = TimeSpan.FromSeconds(25);

    /// <summary>The HTTPS address to listen on: <see cref="LocalListen"/>, or <see cref="ClusterListen"/> in a pod in cluster mode.</summary>
    public Uri Listen { get; init; } = LocalListen;

    /// <summary>The AdmissionPolicy file, followed while serving; the built-in defaults when null.</summary>
    public string? PolicyFile { get; init; }

    /// <summary>Local mode's files and folders of ChangeApprovals and Namespaces; cluster mode when empty.</summary>
    public IReadOnlyList<string> Approvals { get; init; } = [];

    /// <summary>Cluster mode: the kubeconfig file; the in-cluster configuration when null.</summary>
    public string? Kubeconfig { get; init; }

    public string? TlsCert { get; init; }
    public string? TlsKey { get; init; }
    public string TlsDir { get; init; } = DefaultTlsDir;

    /// <summary>Extra DNS names of a generated serving certificate, beyond localhost and 127.0.0.1.</summary>
    public IReadOnlyList<string> DnsNames { get; init; } = [];

    /// <summary>Every name a generated serving certificate is issued for, in files or in the 'self' Secret: localhost, 127.0.0.1, then each <see cref="DnsNames"/>.</summary>
    public IReadOnlyList<string> ServingNames => ["localhost", "127.0.0.1", .. DnsNames];

    public TimeSpan MaxCacheStaleness { get; init; } = DefaultMaxCacheStaleness;
    public string LogFormat { get; init; } = DefaultLogFormat;

    /// <summary>Cluster mode: the namespace of the Lease and the certificate Secret; <c>--namespace</c>, else <c>$POD_NAMESPACE</c>, else the kubeconfig's.</summary>
    public string? Namespace { get; init; }

    public string LeaseName { get; init; } = DefaultLeaseName;
    public bool LeaderElection { get; init; } = true;
    public string? CertSecret { get; init; }
    public string? WebhookConfiguration { get; init; }

    /// <summary>Cluster mode: the notification receivers file (a mounted Secret); none when null.</summary>
    public string? Notifications { get; init; }

    /// <summary>Cluster mode: the operator's own username; break-glass admissions get a retrospective ChangeApproval only when set.</summary>
    public string? OperatorUser { get; init; }

    /// <summary>On a stop, how long /readyz fails while the listener stays open, before in-flight reviews are finished.</summary>
    public TimeSpan DrainDelay { get; init; } = LocalDrainDelay;

    /// <summary>This pod's name (<c>$POD_NAME</c>), the start of its leader-election identity; the machine name when null.</summary>
    public string? PodName { get; init; }

    /// <summary>Cluster mode's time bounds (<c>ADMISSION_*</c>, for tests).</summary>
    internal ClusterTimings Timings { get; init; } = new();

    /// <summary>How hard a notification is tried (<c>ADMISSION_NOTIFY_*</c>, for tests).</summary>
    internal NotificationTimings NotificationTimings { get; init; } = new();

    public WebhookLimits Limits { get; init; } = WebhookLimits.Default;

    public bool LocalMode => Approvals.Count > 0;
}
