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
    public static IServiceCollection AddClusterMode(this IServiceCollection services, ServeOptions options)
    {
        var timings = options.Timings;
        var ns = AddClients(services, options);
        services.AddSingleton(timings);

        services.AddSingleton(sp =>
        {
            var client = sp.GetRequiredService<IKubernetes>();
            var approvals = new ChangeApprovalListWatch(client);
            return new ClusterApprovalCache(approvals, new NamespaceListWatch(client), approvals,
                options.MaxCacheStaleness, timings, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ClusterApprovalCache>>());
        });
        services.AddSingleton<IApprovalState>(sp => sp.GetRequiredService<ClusterApprovalCache>());
        services.AddSingleton<Access.IAccessReviewer, Access.SubjectAccessReviewer>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterApprovalCache>());

        var identity = LeaseLeaderElection.NewIdentity(options.PodName);
        if (options.OperatorUser is { } operatorUser)
        {
            // Every replica: whichever admitted the break glass knows who broke it, and opens its review.
            services.AddSingleton(new BreakGlass.OperatorIdentity(operatorUser));
            services.AddSingleton(sp => new BreakGlass.RetrospectiveOpener(
                new BreakGlass.KubernetesApprovalCreator(sp.GetRequiredService<IKubernetes>()),
                new KubernetesStatusClient(sp.GetRequiredService<IKubernetes>(), identity, sp.GetRequiredService<TimeProvider>()),
                sp.GetRequiredService<AdmissionPolicy>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(),
                timings.BackoffInitial, timings.BackoffMax));
            services.AddSingleton<BreakGlass.IBreakGlassLedger>(sp => sp.GetRequiredService<BreakGlass.RetrospectiveOpener>());
            services.AddHostedService(sp => sp.GetRequiredService<BreakGlass.RetrospectiveOpener>());
        }

        if (options.CertSecret is not null)
        {
            services.AddSelfCertificates(options, ns, timings);
        }

        if (!options.LeaderElection) return services;
        services.AddSingleton<ILeaderElection>(sp => new LeaseLeaderElection(
            sp.GetRequiredService<IKubernetes>(), ns, options.LeaseName, identity, timings, sp.GetRequiredService<ILogger<LeaseLeaderElection>>()));
        services.AddSingleton<ILeaderWork>(sp => new ApprovalStatusController(
            sp.GetRequiredService<ClusterApprovalCache>(),
            new KubernetesStatusClient(sp.GetRequiredService<IKubernetes>(), identity, sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<AdmissionPolicy>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ApprovalStatusController>>(),
            sp.GetRequiredService<ITargetReader>(), timings.AppliedCheckInterval));
        services.AddSingleton<ILeaderWork>(sp => new Audit.AuditRecorder(
            sp.GetRequiredService<ClusterApprovalCache>(), new Notifications.KubernetesAnnotationWriter(sp.GetRequiredService<IKubernetes>()),
            new KubernetesStatusClient(sp.GetRequiredService<IKubernetes>(), identity, sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<ILeaderWork>(sp => new Audit.AuditFinalizer(
            sp.GetRequiredService<ClusterApprovalCache>(), new Audit.KubernetesFinalizerWriter(sp.GetRequiredService<IKubernetes>()),
            sp.GetRequiredService<ILogger<Audit.AuditFinalizer>>()));
        if (options.Notifications is not null)
        {
            // Read at start: a bad file stops the server with the file and field named.
            var receivers = Notifications.NotificationConfigReader.Load(options.Notifications);
            services.AddSingleton<ILeaderWork>(sp => new Notifications.NotificationDispatcher(
                sp.GetRequiredService<ClusterApprovalCache>(), new Notifications.KubernetesAnnotationWriter(sp.GetRequiredService<IKubernetes>()),
                receivers, sp.GetRequiredService<AdmissionPolicy>(), options.NotificationTimings, sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<Notifications.NotificationDispatcher>>()));
        }
        services.AddHostedService<LeaderService>();
        return services;
    }

    /// <summary>
    /// The one place cluster mode makes its API clients: the shared client every service takes,
    /// and the target reader's own. Returns the namespace to run in.
    /// </summary>
    private static string AddClients(IServiceCollection services, ServeOptions options)
    {
        var config = LoadConfiguration(options);
        // Lists and writes that hang are abandoned and retried; watches are not bound by this.
        config.HttpClientTimeout = TimeSpan.FromSeconds(30);
        services.AddSingleton<IKubernetes>(_ => new Kubernetes(config));
        // Its own client: the core-group path rewrite it needs stays out of every other call.
        services.AddSingleton<ITargetReader>(_ => new KubernetesTargetReader(new Kubernetes(config, new CoreGroupPathHandler())));
        return options.Namespace ?? config.Namespace ?? "default";
    }

    private static KubernetesClientConfiguration LoadConfiguration(ServeOptions options)
    {
        try
        {
            if (options.Kubeconfig is not null)
            {
                return KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig);
            }
            if (KubernetesClientConfiguration.IsInCluster())
            {
                return KubernetesClientConfiguration.InClusterConfig();
            }
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or IOException or UnauthorizedAccessException)
        {
            throw new InputException([new InputError(options.Kubeconfig ?? "in-cluster configuration", null, "", e.Message)]);
        }
        throw new InputException([new InputError("serve", null, "",
            "no cluster to run against: pass --kubeconfig FILE, run inside a cluster, or pass --approvals PATH to run locally")]);
    }
}
