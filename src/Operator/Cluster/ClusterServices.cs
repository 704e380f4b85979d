using Admission.Kubernetes;
using Admission.Operator.Hosting;
using Admission.Operator.State;
using Admission.Policies;
using k8s;

namespace Admission.Operator.Cluster;

/// <summary>
/// Cluster mode: approvals from the API server through a watch-fed cache; the status operator
/// (and, with <c>--cert-secret</c>, the certificate issuer) on the elected leader only.
/// </summary>
public static class ClusterServices
{
    public static void Add(WebApplicationBuilder builder, ServeOptions options)
    {
        var timings = ClusterTimings.FromEnvironment();
        var config = Cli.ClusterConfiguration.Load(options.Kubeconfig, "serve",
            "no cluster to run against: pass --kubeconfig FILE, run inside a cluster, or pass --approvals PATH to run locally");
        // Lists and writes that hang are abandoned and retried; watches are not bound by this.
        config.HttpClientTimeout = TimeSpan.FromSeconds(30);
        var ns = options.Namespace ?? config.Namespace ?? "default";
        builder.Services.AddSingleton(timings);
        builder.Services.AddSingleton<IKubernetes>(_ => ClientSetup.Create(config));
        // Its own client: the core-group path rewrite it needs stays out of every other call.
        builder.Services.AddSingleton<ITargetReader>(_ => new KubernetesTargetReader(ClientSetup.Create(config, coreGroupPaths: true)));

        builder.Services.AddSingleton(sp =>
        {
            var client = sp.GetRequiredService<IKubernetes>();
            var approvals = new ChangeApprovalListWatch(client);
            return new ClusterApprovalCache(approvals, new NamespaceListWatch(client), approvals,
                options.MaxCacheStaleness, timings, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ClusterApprovalCache>>());
        });
        builder.Services.AddSingleton<IApprovalState>(sp => sp.GetRequiredService<ClusterApprovalCache>());
        builder.Services.AddSingleton<Access.IAccessReviewer>(sp => new Access.SubjectAccessReviewer(
            sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<ILogger<Access.SubjectAccessReviewer>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ClusterApprovalCache>());

        var identity = LeaseLeaderElection.NewIdentity();
        if (options.OperatorUser is { } operatorUser)
        {
            // Every replica: whichever admitted the break glass knows who broke it, and opens its review.
            builder.Services.AddSingleton(new BreakGlass.OperatorIdentity(operatorUser));
            builder.Services.AddSingleton(sp => new BreakGlass.RetrospectiveOpener(
                new BreakGlass.KubernetesApprovalCreator(sp.GetRequiredService<IKubernetes>()),
                new KubernetesStatusClient(sp.GetRequiredService<IKubernetes>(), identity, sp.GetRequiredService<TimeProvider>()),
                sp.GetRequiredService<AdmissionPolicy>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(),
                timings.BackoffInitial, timings.BackoffMax));
            builder.Services.AddSingleton<BreakGlass.IBreakGlassLedger>(sp => sp.GetRequiredService<BreakGlass.RetrospectiveOpener>());
            builder.Services.AddHostedService(sp => sp.GetRequiredService<BreakGlass.RetrospectiveOpener>());
        }

        if (options.CertSecret is not null)
        {
            SelfCertificates.Add(builder, options, ns, timings);
        }

        if (!options.LeaderElection) return;
        builder.Services.AddSingleton<ILeaderElection>(sp => new LeaseLeaderElection(
            sp.GetRequiredService<IKubernetes>(), ns, options.LeaseName, identity, timings, sp.GetRequiredService<ILogger<LeaseLeaderElection>>()));
        builder.Services.AddSingleton<ILeaderWork>(sp => new ApprovalStatusController(
            sp.GetRequiredService<ClusterApprovalCache>(),
            new KubernetesStatusClient(sp.GetRequiredService<IKubernetes>(), identity, sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<AdmissionPolicy>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ApprovalStatusController>>(),
            sp.GetRequiredService<ITargetReader>(), timings.AppliedCheckInterval));
        builder.Services.AddSingleton<ILeaderWork>(sp => new Audit.AuditRecorder(
            sp.GetRequiredService<ClusterApprovalCache>(), new Notifications.KubernetesAnnotationWriter(sp.GetRequiredService<IKubernetes>()),
            new KubernetesStatusClient(sp.GetRequiredService<IKubernetes>(), identity, sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton<ILeaderWork>(sp => new Audit.AuditFinalizer(
            sp.GetRequiredService<ClusterApprovalCache>(), new Audit.KubernetesFinalizerWriter(sp.GetRequiredService<IKubernetes>()),
            sp.GetRequiredService<ILogger<Audit.AuditFinalizer>>()));
        if (options.Notifications is not null)
        {
            // Read at start: a bad file stops the server with the file and field named.
            var receivers = Notifications.NotificationConfigReader.Load(options.Notifications);
            var notifyTimings = Notifications.NotificationTimings.FromEnvironment();
            builder.Services.AddSingleton<ILeaderWork>(sp => new Notifications.NotificationDispatcher(
                sp.GetRequiredService<ClusterApprovalCache>(), new Notifications.KubernetesAnnotationWriter(sp.GetRequiredService<IKubernetes>()),
                receivers, sp.GetRequiredService<AdmissionPolicy>(), notifyTimings, sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<Notifications.NotificationDispatcher>>()));
        }
        builder.Services.AddHostedService<LeaderService>();
    }
}
