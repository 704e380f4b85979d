using System.CommandLine;
using Admission.Operator.Hosting;
using Admission.Policies;

namespace Admission.Operator.Cli;

internal static class ServeCommand
{
    public static Command Create()
    {
        var listen = new Option<string?>("--listen") { Description = "HTTPS URL to listen on (default https://127.0.0.1:8443; in a cluster https://0.0.0.0:8443)" };
        var policy = new Option<string?>("--policy") { Description = "Policy file (AdmissionPolicy YAML)" };
        var approvals = new Option<string[]>("--approvals") { Description = "Local mode: files or folders of ChangeApprovals and Namespaces, reloaded when they change (repeatable)" };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Cluster mode: kubeconfig file (default: in-cluster configuration)" };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "PEM serving certificate, reloaded when it changes" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key of --tls-cert" };
        var tlsDir = new Option<string>("--tls-dir") { Description = "Where a generated CA and serving certificate are kept", DefaultValueFactory = _ => ".admission/tls" };
        var dnsNames = new Option<string[]>("--dns-name") { Description = "Extra DNS name for the generated serving certificate (repeatable)" };
        var staleness = new Option<string>("--max-cache-staleness") { Description = "Cluster mode: not ready once the cache has been out of touch this long", DefaultValueFactory = _ => "120s" };
        var logFormat = new Option<string>("--log-format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var ns = new Option<string?>("--namespace") { Description = "Cluster mode: the namespace the webhook runs in (Lease, certificate Secret); default $POD_NAMESPACE" };
        var leaseName = new Option<string>("--lease-name") { Description = "Cluster mode: the leader election Lease", DefaultValueFactory = _ => "admission-operator" };
        var noLeader = new Option<bool>("--no-leader-election") { Description = "Cluster mode: serve the webhook only, never run the status operator" };
        var certSecret = new Option<string?>("--cert-secret") { Description = "Cluster mode: Secret holding the serving certificate, created and renewed by the leader ('self' certificates)" };
        var webhookConfig = new Option<string?>("--webhook-configuration") { Description = "Cluster mode: ValidatingWebhookConfiguration whose caBundle the leader keeps current ('self' certificates)" };

        var drainDelay = new Option<string?>("--drain-delay") { Description = "On SIGTERM, how long /readyz fails while reviews are still served, before the listener closes (default 5s in cluster mode, 0s in local mode)" };
        var notifications = new Option<string?>("--notifications") { Description = "Cluster mode: file of notification receivers (webhook, slack); the leader notifies them of ChangeApproval events" };

        var operatorUser = new Option<string?>("--operator-user")
        {
            Description = "Cluster mode: this program's own username (its service account, system:serviceaccount:NS:NAME): it opens a retrospective ChangeApproval, requested by the break-glass user, for each break-glass admission, and only it may",
        };

        var command = new Command("serve", "Run the validating admission webhook over HTTPS")
        {
            listen, policy, approvals, kubeconfig, tlsCert, tlsKey, tlsDir, dnsNames, staleness, logFormat, ns, leaseName, noLeader, certSecret, webhookConfig, notifications, drainDelay,
            operatorUser,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var errors = new List<InputError>();
            var approvalPaths = result.GetValue(approvals) ?? [];
            var listenText = result.GetValue(listen) ?? (approvalPaths.Length == 0 && Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is not null
                ? "https://0.0.0.0:8443" : "https://127.0.0.1:8443");
            if (!Uri.TryCreate(listenText, UriKind.Absolute, out var listenUri))
            {
                errors.Add(new InputError("--listen", null, "", $"\"{listenText}\" is not a URL"));
            }
            if (result.GetValue(tlsCert) is null != result.GetValue(tlsKey) is null)
            {
                errors.Add(new InputError("--tls-cert/--tls-key", null, "", "give both, or neither"));
            }
            var stalenessText = result.GetValue(staleness)!;
            if (!GoDuration.TryParse(stalenessText, out var maxStaleness) || maxStaleness <= TimeSpan.Zero)
            {
                errors.Add(new InputError("--max-cache-staleness", null, "", $"\"{stalenessText}\" is not a positive duration such as 60s"));
            }
            var drainText = result.GetValue(drainDelay) ?? (approvalPaths.Length > 0 ? "0s" : "5s");
            if (!GoDuration.TryParse(drainText, out var drain) || drain < TimeSpan.Zero)
            {
                errors.Add(new InputError("--drain-delay", null, "", $"\"{drainText}\" is not a duration such as 5s"));
            }
            // Every file and folder, before the host starts (a failure inside it is a stack trace).
            if (result.GetValue(tlsCert) is { } certFile && result.GetValue(tlsKey) is { } keyFile)
            {
                StartupFiles.CheckPemPair(certFile, keyFile, errors);
            }
            else
            {
                StartupFiles.CheckTlsDir(result.GetValue(tlsDir)!, errors);
            }
            if (result.GetValue(kubeconfig) is { } kubeconfigFile)
            {
                _ = StartupFiles.ReadFile("--kubeconfig", kubeconfigFile, errors);
            }
            if (result.GetValue(notifications) is { } notificationsFile)
            {
                _ = StartupFiles.ReadFile("--notifications", notificationsFile, errors);
            }
            StartupFiles.CheckApprovalPaths(approvalPaths, errors);
            PolicyReload.PolicySource? policySource = null;
            try
            {
                var (loaded, sha256) = PolicyLoader.LoadWithHash(result.GetValue(policy));
                policySource = new PolicyReload.PolicySource(loaded, result.GetValue(policy) is { Length: > 0 } file ? file : null, sha256);
            }
            catch (InputException e)
            {
                errors.AddRange(e.Errors);
            }
            if (result.GetValue(notifications) is not null && approvalPaths.Length > 0)
            {
                errors.Add(new InputError("--notifications", null, "", "notifications are sent by the cluster operator; drop --approvals (local mode) or --notifications"));
            }
            if (result.GetValue(operatorUser) is { } opUser && (approvalPaths.Length > 0 || string.IsNullOrWhiteSpace(opUser)))
            {
                errors.Add(new InputError("--operator-user", null, "", approvalPaths.Length > 0
                    ? "retrospective ChangeApprovals are opened by the cluster operator; drop --approvals (local mode) or --operator-user"
                    : "must be a username, such as system:serviceaccount:admission-system:admission"));
            }
            if (errors.Count > 0) throw new InputException(errors);

            var options = new ServeOptions
            {
                Listen = listenUri!,
                PolicyFile = result.GetValue(policy),
                Approvals = approvalPaths,
                Kubeconfig = result.GetValue(kubeconfig),
                TlsCert = result.GetValue(tlsCert),
                TlsKey = result.GetValue(tlsKey),
                TlsDir = result.GetValue(tlsDir)!,
                DnsNames = result.GetValue(dnsNames) ?? [],
                MaxCacheStaleness = maxStaleness,
                LogFormat = result.GetValue(logFormat)!,
                Namespace = result.GetValue(ns) ?? Environment.GetEnvironmentVariable("POD_NAMESPACE"),
                LeaseName = result.GetValue(leaseName)!,
                LeaderElection = !result.GetValue(noLeader),
                CertSecret = result.GetValue(certSecret),
                WebhookConfiguration = result.GetValue(webhookConfig),
                Notifications = result.GetValue(notifications),
                OperatorUser = result.GetValue(operatorUser),
                DrainDelay = drain,
            };
            EnsureFree(WebhookHost.ListenEndpoint(options.Listen), options.Listen);
            await using var app = WebhookHost.Build(options, policySource!);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(WebhookHost.Category).LogInformation(
                "admission webhook listening on {Listen} ({Mode})", options.Listen,
                options.LocalMode ? "local mode: " + string.Join(", ", options.Approvals) : "cluster mode");
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Says plainly when the port is taken, before the host would log a stack trace for it. The
    /// server binds right after, so a race here only means Kestrel reports it instead.
    /// </summary>
    private static void EnsureFree(System.Net.IPEndPoint endpoint, Uri listen)
    {
        try
        {
            using var probe = new System.Net.Sockets.TcpListener(endpoint);
            probe.Start();
            probe.Stop();
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new InputException([new InputError("--listen", null, "", $"cannot listen on {listen}: {e.Message}")]);
        }
    }
}
