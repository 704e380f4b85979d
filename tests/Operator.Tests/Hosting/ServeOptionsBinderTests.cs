namespace Admission.Operator.Tests.Hosting;

/// <summary>
/// <c>admission serve</c>'s options, bound once from the command line and the environment: every
/// default (local and cluster mode), every flag and variable, flag over variable over default, and
/// each wrong value refused naming the flag or variable it came from.
/// </summary>
public sealed class ServeOptionsBinderTests
{
    private static readonly string[] Local = ["--approvals", "approvals"];
    private static readonly string[] InPod = ["KUBERNETES_SERVICE_HOST=10.96.0.1"];

    // row, arguments, environment, setting, expected
    public static TheoryData<string, string[], string[], string, string> Settings => new()
    {
        // Defaults, local mode.
        { "local listens on loopback", Local, [], "Listen", "https://127.0.0.1:8443/" },
        { "local listens on loopback even in a pod", Local, InPod, "Listen", "https://127.0.0.1:8443/" },
        { "local stops at once", Local, [], "DrainDelay", "0s" },
        { "local generated certificates", Local, [], "TlsDir", ".admission/tls" },
        { "local has no policy file", Local, [], "PolicyFile", "null" },
        { "local certificate files", Local, [], "TlsCert", "null" },
        { "local certificate key", Local, [], "TlsKey", "null" },
        { "local extra names", Local, [], "DnsNames", "" },
        { "local log format", Local, [], "LogFormat", "text" },
        { "local mode", Local, [], "LocalMode", "true" },
        // Defaults, cluster mode.
        { "cluster in a pod listens everywhere", [], InPod, "Listen", "https://0.0.0.0:8443/" },
        { "cluster outside a pod listens on loopback", [], [], "Listen", "https://127.0.0.1:8443/" },
        { "cluster drains for endpoints to catch up", [], InPod, "DrainDelay", "5s" },
        { "cluster drains outside a pod too", [], [], "DrainDelay", "5s" },
        { "cluster mode", [], [], "LocalMode", "false" },
        { "staleness bound", [], [], "MaxCacheStaleness", "120s" },
        { "lease name", [], [], "LeaseName", "admission-operator" },
        { "leader election on", [], [], "LeaderElection", "true" },
        { "namespace from the kubeconfig", [], [], "Namespace", "null" },
        { "pod name from the machine", [], [], "PodName", "null" },
        { "kubeconfig in cluster", [], [], "Kubeconfig", "null" },
        { "no self certificates", [], [], "CertSecret", "null" },
        { "no webhook configuration", [], [], "WebhookConfiguration", "null" },
        { "no notifications", [], [], "Notifications", "null" },
        { "no operator user", [], [], "OperatorUser", "null" },
        { "watch idle timeout", [], [], "Timings.WatchIdleTimeout", "90s" },
        { "first backoff", [], [], "Timings.BackoffInitial", "500ms" },
        { "backoff cap", [], [], "Timings.BackoffMax", "30s" },
        { "live read timeout", [], [], "Timings.LiveReadTimeout", "500ms" },
        { "applied check interval", [], [], "Timings.AppliedCheckInterval", "5s" },
        { "lease duration", [], [], "Timings.LeaseDuration", "15s" },
        { "renew deadline", [], [], "Timings.RenewDeadline", "10s" },
        { "retry period", [], [], "Timings.RetryPeriod", "2s" },
        { "certificate check interval", [], [], "Timings.CertificateCheckInterval", "10m" },
        { "serving certificate validity", [], [], "Timings.ServingValidity", "90d" },
        { "CA validity", [], [], "Timings.CaValidity", "1825d" },
        { "notification first backoff", [], [], "NotificationTimings.BackoffInitial", "1s" },
        { "notification backoff cap", [], [], "NotificationTimings.BackoffMax", "1m" },
        { "notification attempt timeout", [], [], "NotificationTimings.AttemptTimeout", "10s" },
        // Each flag.
        { "--listen", ["--listen", "https://[::1]:9443"], [], "Listen", "https://[::1]:9443/" },
        { "--listen localhost", ["--listen", "https://localhost:9443"], [], "Listen", "https://localhost:9443/" },
        { "--policy", ["--policy", "p.yaml"], [], "PolicyFile", "p.yaml" },
        { "--approvals repeated", ["--approvals", "a", "--approvals", "b"], [], "Approvals", "a,b" },
        { "--kubeconfig", ["--kubeconfig", "kc"], [], "Kubeconfig", "kc" },
        { "--tls-cert", ["--tls-cert", "c.pem", "--tls-key", "k.pem"], [], "TlsCert", "c.pem" },
        { "--tls-key", ["--tls-cert", "c.pem", "--tls-key", "k.pem"], [], "TlsKey", "k.pem" },
        { "--tls-dir", ["--tls-dir", "certs"], [], "TlsDir", "certs" },
        { "--dns-name repeated", ["--dns-name", "a.svc", "--dns-name", "b.svc"], [], "DnsNames", "a.svc,b.svc" },
        { "--max-cache-staleness", ["--max-cache-staleness", "6s"], [], "MaxCacheStaleness", "6s" },
        { "--log-format", ["--log-format", "json"], [], "LogFormat", "json" },
        { "--namespace", ["--namespace", "ops"], [], "Namespace", "ops" },
        { "--lease-name", ["--lease-name", "other"], [], "LeaseName", "other" },
        { "--no-leader-election", ["--no-leader-election"], [], "LeaderElection", "false" },
        { "--cert-secret", ["--cert-secret", "tls"], [], "CertSecret", "tls" },
        { "--webhook-configuration", ["--webhook-configuration", "admission"], [], "WebhookConfiguration", "admission" },
        { "--notifications", ["--notifications", "n.yaml"], [], "Notifications", "n.yaml" },
        { "--operator-user", ["--operator-user", "system:serviceaccount:a:b"], [], "OperatorUser", "system:serviceaccount:a:b" },
        { "--drain-delay in local mode", [.. Local, "--drain-delay", "2s"], [], "DrainDelay", "2s" },
        { "--drain-delay zero in cluster mode", ["--drain-delay", "0s"], InPod, "DrainDelay", "0s" },
        // Each variable.
        { "POD_NAMESPACE", [], ["POD_NAMESPACE=admission-system"], "Namespace", "admission-system" },
        { "POD_NAME", [], ["POD_NAME=admission-7d9f"], "PodName", "admission-7d9f" },
        { "POD_NAME empty", [], ["POD_NAME="], "PodName", "null" },
        { "ADMISSION_WATCH_IDLE_TIMEOUT", [], ["ADMISSION_WATCH_IDLE_TIMEOUT=1500ms"], "Timings.WatchIdleTimeout", "1500ms" },
        { "ADMISSION_BACKOFF_INITIAL", [], ["ADMISSION_BACKOFF_INITIAL=50ms"], "Timings.BackoffInitial", "50ms" },
        { "ADMISSION_BACKOFF_MAX", [], ["ADMISSION_BACKOFF_MAX=1s"], "Timings.BackoffMax", "1s" },
        { "ADMISSION_LIVE_READ_TIMEOUT", [], ["ADMISSION_LIVE_READ_TIMEOUT=2s"], "Timings.LiveReadTimeout", "2s" },
        { "ADMISSION_APPLIED_CHECK_INTERVAL", [], ["ADMISSION_APPLIED_CHECK_INTERVAL=200ms"], "Timings.AppliedCheckInterval", "200ms" },
        { "ADMISSION_LEASE_DURATION", [], ["ADMISSION_LEASE_DURATION=4s"], "Timings.LeaseDuration", "4s" },
        { "ADMISSION_RENEW_DEADLINE", [], ["ADMISSION_RENEW_DEADLINE=3s"], "Timings.RenewDeadline", "3s" },
        { "ADMISSION_RETRY_PERIOD", [], ["ADMISSION_RETRY_PERIOD=1s"], "Timings.RetryPeriod", "1s" },
        { "ADMISSION_CERT_CHECK_INTERVAL", [], ["ADMISSION_CERT_CHECK_INTERVAL=1s"], "Timings.CertificateCheckInterval", "1s" },
        { "ADMISSION_SERVING_CERT_VALIDITY", [], ["ADMISSION_SERVING_CERT_VALIDITY=1h"], "Timings.ServingValidity", "1h" },
        { "ADMISSION_CA_VALIDITY", [], ["ADMISSION_CA_VALIDITY=2h"], "Timings.CaValidity", "2h" },
        { "ADMISSION_NOTIFY_BACKOFF_INITIAL", [], ["ADMISSION_NOTIFY_BACKOFF_INITIAL=100ms"], "NotificationTimings.BackoffInitial", "100ms" },
        { "ADMISSION_NOTIFY_BACKOFF_MAX", [], ["ADMISSION_NOTIFY_BACKOFF_MAX=400ms"], "NotificationTimings.BackoffMax", "400ms" },
        { "ADMISSION_NOTIFY_TIMEOUT", [], ["ADMISSION_NOTIFY_TIMEOUT=2s"], "NotificationTimings.AttemptTimeout", "2s" },
        { "an empty variable keeps the default", [], ["ADMISSION_LEASE_DURATION="], "Timings.LeaseDuration", "15s" },
        // Flag over variable over default.
        { "--namespace over POD_NAMESPACE", ["--namespace", "ops"], ["POD_NAMESPACE=admission-system"], "Namespace", "ops" },
        { "--listen over the pod's default", ["--listen", "https://127.0.0.1:9443"], InPod, "Listen", "https://127.0.0.1:9443/" },
        { "--drain-delay over the cluster default", ["--drain-delay", "30s"], InPod, "DrainDelay", "30s" },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void Each_setting_binds_from_its_flag_its_variable_or_its_default(string row, string[] args, string[] environment, string setting, string expected)
    {
        var (options, errors) = ServeBinding.Bind(args, environment);
        Assert.True(errors.Count == 0, $"{row}: {string.Join("; ", errors)}");
        var actual = ServeBinding.Setting(options!, setting);
        Assert.True(ServeBinding.Matches(actual, expected), $"{row}: {setting} is {actual}, expected {expected}");
    }

    private static readonly string[] TimingVariables =
    [
        "ADMISSION_WATCH_IDLE_TIMEOUT", "ADMISSION_BACKOFF_INITIAL", "ADMISSION_BACKOFF_MAX", "ADMISSION_LIVE_READ_TIMEOUT",
        "ADMISSION_APPLIED_CHECK_INTERVAL", "ADMISSION_LEASE_DURATION", "ADMISSION_RENEW_DEADLINE", "ADMISSION_RETRY_PERIOD",
        "ADMISSION_CERT_CHECK_INTERVAL", "ADMISSION_SERVING_CERT_VALIDITY", "ADMISSION_CA_VALIDITY",
        "ADMISSION_NOTIFY_BACKOFF_INITIAL", "ADMISSION_NOTIFY_BACKOFF_MAX", "ADMISSION_NOTIFY_TIMEOUT",
    ];

    // row, arguments, environment, the one error (as serve prints it after "error: ")
    public static TheoryData<string, string[], string[], string> Refusals()
    {
        var rows = new TheoryData<string, string[], string[], string>
        {
            { "--listen not a URL", ["--listen", "127.0.0.1:8443"], [], "--listen: \"127.0.0.1:8443\" is not a URL" },
            { "--listen plain http", ["--listen", "http://127.0.0.1:8443"], [], "--listen: \"http://127.0.0.1:8443/\" must be an https:// URL" },
            { "--listen a host name", ["--listen", "https://example.com:8443"], [], "--listen: host \"example.com\" must be an IP address or localhost" },
            { "--tls-cert alone", ["--tls-cert", "c.pem"], [], "--tls-cert/--tls-key: give both, or neither" },
            { "--tls-key alone", ["--tls-key", "k.pem"], [], "--tls-cert/--tls-key: give both, or neither" },
            { "--max-cache-staleness not a duration", ["--max-cache-staleness", "soon"], [], "--max-cache-staleness: \"soon\" is not a positive duration such as 60s" },
            { "--max-cache-staleness zero", ["--max-cache-staleness", "0s"], [], "--max-cache-staleness: \"0s\" is not a positive duration such as 60s" },
            { "--drain-delay not a duration", ["--drain-delay", "soon"], [], "--drain-delay: \"soon\" is not a duration such as 5s" },
            { "--drain-delay negative", ["--drain-delay", "-1s"], [], "--drain-delay: \"-1s\" is not a duration such as 5s" },
            { "--notifications in local mode", [.. Local, "--notifications", "n.yaml"], [],
                "--notifications: notifications are sent by the cluster operator; drop --approvals (local mode) or --notifications" },
            { "--operator-user in local mode", [.. Local, "--operator-user", "system:serviceaccount:a:b"], [],
                "--operator-user: retrospective ChangeApprovals are opened by the cluster operator; drop --approvals (local mode) or --operator-user" },
            { "--operator-user blank", ["--operator-user", " "], [], "--operator-user: must be a username, such as system:serviceaccount:admission-system:admission" },
            { "a zero timing", [], ["ADMISSION_LEASE_DURATION=0s"], "ADMISSION_LEASE_DURATION: \"0s\" is not a positive duration such as 2s" },
        };
        foreach (var name in TimingVariables)
        {
            rows.Add(name, [], [name + "=soon"], name + ": \"soon\" is not a positive duration such as 2s");
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Each_wrong_value_is_refused_naming_its_flag_or_variable(string row, string[] args, string[] environment, string error)
    {
        var (options, errors) = ServeBinding.Bind(args, environment);
        Assert.True(options is null, $"{row}: bound although wrong");
        Assert.Equal([error], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Every_wrong_value_is_reported_at_once()
    {
        var (options, errors) = ServeBinding.Bind(["--listen", "http://127.0.0.1:1", "--drain-delay", "soon", "--tls-key", "k.pem"], ["ADMISSION_RETRY_PERIOD=soon"]);
        Assert.Null(options);
        Assert.Equal(["--listen", "--tls-cert/--tls-key", "--drain-delay", "ADMISSION_RETRY_PERIOD"], errors.Select(e => e.Source));
    }
}
