using System.CommandLine;
using System.Globalization;
using Admission.Operator.Hosting;

namespace Admission.Operator.Cli;

/// <summary>
/// <c>admission serve</c>'s command line: each flag with its help text. Defaults are not written
/// here but quoted from <see cref="ServeOptions"/>; <see cref="ServeOptionsBinder"/> reads the values.
/// </summary>
internal sealed class ServeFlags
{
    public Option<string?> Listen { get; } = new("--listen")
    {
        Description = $"HTTPS URL to listen on (default {ServeOptions.LocalListen.OriginalString}; in a cluster {ServeOptions.ClusterListen.OriginalString})",
    };

    public Option<string?> Policy { get; } = new("--policy") { Description = "Policy file (AdmissionPolicy YAML)" };

    public Option<string[]> Approvals { get; } = new("--approvals")
    {
        Description = "Local mode: files or folders of ChangeApprovals and Namespaces, reloaded when they change (repeatable)",
    };

    public Option<string?> Kubeconfig { get; } = new("--kubeconfig") { Description = "Cluster mode: kubeconfig file (default: in-cluster configuration)" };

    public Option<string?> TlsCert { get; } = new("--tls-cert") { Description = "PEM serving certificate, reloaded when it changes" };

    public Option<string?> TlsKey { get; } = new("--tls-key") { Description = "PEM private key of --tls-cert" };

    public Option<string> TlsDir { get; } = new("--tls-dir")
    {
        Description = "Where a generated CA and serving certificate are kept",
        DefaultValueFactory = _ => ServeOptions.DefaultTlsDir,
    };

    public Option<string[]> DnsNames { get; } = new("--dns-name") { Description = "Extra DNS name for the generated serving certificate (repeatable)" };

    public Option<string> MaxCacheStaleness { get; } = new("--max-cache-staleness")
    {
        Description = "Cluster mode: not ready once the cache has been out of touch this long",
        DefaultValueFactory = _ => Seconds(ServeOptions.DefaultMaxCacheStaleness),
    };

    public Option<string> LogFormat { get; } = new("--log-format") { Description = "text or json", DefaultValueFactory = _ => ServeOptions.DefaultLogFormat };

    public Option<string?> Namespace { get; } = new("--namespace")
    {
        Description = $"Cluster mode: the namespace the webhook runs in (Lease, certificate Secret); default ${ServeOptionsBinder.PodNamespaceVariable}",
    };

    public Option<string> LeaseName { get; } = new("--lease-name")
    {
        Description = "Cluster mode: the leader election Lease",
        DefaultValueFactory = _ => ServeOptions.DefaultLeaseName,
    };

    public Option<bool> NoLeaderElection { get; } = new("--no-leader-election") { Description = "Cluster mode: serve the webhook only, never run the status operator" };

    public Option<string?> CertSecret { get; } = new("--cert-secret")
    {
        Description = "Cluster mode: Secret holding the serving certificate, created and renewed by the leader ('self' certificates)",
    };

    public Option<string?> WebhookConfiguration { get; } = new("--webhook-configuration")
    {
        Description = "Cluster mode: ValidatingWebhookConfiguration whose caBundle the leader keeps current ('self' certificates)",
    };

    public Option<string?> Notifications { get; } = new("--notifications")
    {
        Description = "Cluster mode: file of notification receivers (webhook, slack); the leader notifies them of ChangeApproval events",
    };

    public Option<string?> DrainDelay { get; } = new("--drain-delay")
    {
        Description = "On SIGTERM, how long /readyz fails while reviews are still served, before the listener closes " +
            $"(default {Seconds(ServeOptions.ClusterDrainDelay)} in cluster mode, {Seconds(ServeOptions.LocalDrainDelay)} in local mode)",
    };

    public Option<string?> OperatorUser { get; } = new("--operator-user")
    {
        Description = "Cluster mode: this program's own username (its service account, system:serviceaccount:NS:NAME): it opens a retrospective ChangeApproval, requested by the break-glass user, for each break-glass admission, and only it may",
    };

    public ServeFlags()
    {
        LogFormat.AcceptOnlyFromAmong("text", "json");
    }

    /// <summary>The <c>serve</c> command with these flags, in the order help lists them; its action is the caller's.</summary>
    public Command NewCommand()
    {
        var command = new Command("serve", "Run the validating admission webhook over HTTPS");
        Option[] all =
        [
            Listen, Policy, Approvals, Kubeconfig, TlsCert, TlsKey, TlsDir, DnsNames, MaxCacheStaleness, LogFormat, Namespace, LeaseName,
            NoLeaderElection, CertSecret, WebhookConfiguration, Notifications, DrainDelay, OperatorUser,
        ];
        foreach (var option in all) command.Options.Add(option);
        return command;
    }

    /// <summary>A default as the help text has always written it (120s, not Go's 2m).</summary>
    private static string Seconds(TimeSpan value) => ((long)value.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
}
