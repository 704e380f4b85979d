using System.CommandLine;
using Admission.Operator.Cluster;
using Admission.Operator.Hosting;
using Admission.Operator.Notifications;
using Admission.Policies;

namespace Admission.Operator.Cli;

/// <summary>
/// Binds <c>admission serve</c>'s command line and environment to one <see cref="ServeOptions"/>,
/// once: nothing after it reads the command line or the environment again. Every value that is
/// wrong is collected, naming the flag or variable, so one run shows them all. Files are not read
/// here (<see cref="ServeStartup"/> does that, after binding succeeded).
/// </summary>
internal static class ServeOptionsBinder
{
    /// <summary>Set in every pod (the Service of kube-apiserver): without <c>--approvals</c>, serve listens on every address.</summary>
    public const string ServiceHostVariable = "KUBERNETES_SERVICE_HOST";

    /// <summary>The chart sets it from the downward API: the default of <c>--namespace</c>.</summary>
    public const string PodNamespaceVariable = "POD_NAMESPACE";

    /// <summary>The chart sets it from the downward API: the start of this replica's leader-election identity.</summary>
    public const string PodNameVariable = "POD_NAME";

    public static (ServeOptions? Options, IReadOnlyList<InputError> Errors) Bind(ParseResult result, ServeFlags flags, IEnvironmentVariables environment)
    {
        var errors = new List<InputError>();
        var approvals = result.GetValue(flags.Approvals) ?? [];
        var local = approvals.Length > 0;
        var listen = BindListen(result.GetValue(flags.Listen), inPod: !local && environment.Get(ServiceHostVariable) is not null, errors);

        var tlsCert = result.GetValue(flags.TlsCert);
        var tlsKey = result.GetValue(flags.TlsKey);
        if (tlsCert is null != tlsKey is null)
        {
            errors.Add(new InputError("--tls-cert/--tls-key", null, "", "give both, or neither"));
        }
        var stalenessText = result.GetValue(flags.MaxCacheStaleness)!;
        if (!GoDuration.TryParse(stalenessText, out var maxStaleness) || maxStaleness <= TimeSpan.Zero)
        {
            errors.Add(new InputError("--max-cache-staleness", null, "", $"\"{stalenessText}\" is not a positive duration such as 60s"));
        }
        var drainText = result.GetValue(flags.DrainDelay);
        var drain = local ? ServeOptions.LocalDrainDelay : ServeOptions.ClusterDrainDelay;
        if (drainText is not null && (!GoDuration.TryParse(drainText, out drain) || drain < TimeSpan.Zero))
        {
            errors.Add(new InputError("--drain-delay", null, "", $"\"{drainText}\" is not a duration such as 5s"));
        }
        var notifications = result.GetValue(flags.Notifications);
        if (notifications is not null && local)
        {
            errors.Add(new InputError("--notifications", null, "", "notifications are sent by the cluster operator; drop --approvals (local mode) or --notifications"));
        }
        var operatorUser = result.GetValue(flags.OperatorUser);
        if (operatorUser is not null && (local || string.IsNullOrWhiteSpace(operatorUser)))
        {
            errors.Add(new InputError("--operator-user", null, "", local
                ? "retrospective ChangeApprovals are opened by the cluster operator; drop --approvals (local mode) or --operator-user"
                : "must be a username, such as system:serviceaccount:admission-system:admission"));
        }
        var timings = ClusterTimings.FromEnvironment(environment.Get, errors);
        var notificationTimings = NotificationTimings.FromEnvironment(environment.Get, errors);
        if (errors.Count > 0) return (null, errors);

        return (new ServeOptions
        {
            Listen = listen!,
            PolicyFile = result.GetValue(flags.Policy),
            Approvals = approvals,
            Kubeconfig = result.GetValue(flags.Kubeconfig),
            TlsCert = tlsCert,
            TlsKey = tlsKey,
            TlsDir = result.GetValue(flags.TlsDir)!,
            DnsNames = result.GetValue(flags.DnsNames) ?? [],
            MaxCacheStaleness = maxStaleness,
            LogFormat = result.GetValue(flags.LogFormat)!,
            Namespace = result.GetValue(flags.Namespace) ?? environment.Get(PodNamespaceVariable),
            LeaseName = result.GetValue(flags.LeaseName)!,
            LeaderElection = !result.GetValue(flags.NoLeaderElection),
            CertSecret = result.GetValue(flags.CertSecret),
            WebhookConfiguration = result.GetValue(flags.WebhookConfiguration),
            Notifications = notifications,
            OperatorUser = operatorUser,
            DrainDelay = drain,
            PodName = environment.Get(PodNameVariable) is { Length: > 0 } pod ? pod : null,
            Timings = timings,
            NotificationTimings = notificationTimings,
        }, errors);
    }

    private static Uri? BindListen(string? given, bool inPod, List<InputError> errors)
    {
        if (given is null) return inPod ? ServeOptions.ClusterListen : ServeOptions.LocalListen;
        if (!Uri.TryCreate(given, UriKind.Absolute, out var listen))
        {
            errors.Add(new InputError("--listen", null, "", $"\"{given}\" is not a URL"));
            return null;
        }
        if (ListenAddress.Problem(listen) is { } problem)
        {
            errors.Add(new InputError("--listen", null, "", problem));
            return null;
        }
        return listen;
    }
}
