using Admission.Operator.BreakGlass;
using Admission.Kubernetes;
using Admission.Operator.Hosting;
using Admission.Operator.State;
using Admission.Policies;
using k8s;

namespace Admission.Operator.Cluster;

/// <summary>
/// Cluster mode: approvals from the API server through a watch-fed cache, access reviews, the
/// break-glass follow-up (<see cref="BreakGlassServices"/>), 'self' certificates
/// (<see cref="SelfCertificates"/>) and the leader's work (<see cref="LeaderWorkServices"/>).
/// </summary>
public static class ClusterServices
{
    public static IServiceCollection AddClusterMode(this IServiceCollection services, ServeOptions options)
    {
        var settings = ClusterSettings.From(options, AddClients(services, options));
        services.AddSingleton(settings);
        services.AddSingleton(options.Timings);

        services.AddKeyedSingleton<IListWatchSource, ChangeApprovalListWatch>(ListWatchKeys.ChangeApprovals);
        services.AddKeyedSingleton<IListWatchSource, NamespaceListWatch>(ListWatchKeys.Namespaces);
        // The ChangeApprovals source is also the live reader before a denial.
        services.AddSingleton(sp => (ILiveReader)sp.GetRequiredKeyedService<IListWatchSource>(ListWatchKeys.ChangeApprovals));
        services.AddSingleton<ClusterApprovalCache>();
        services.AddSingleton<IApprovalState>(sp => sp.GetRequiredService<ClusterApprovalCache>());
        services.AddSingleton<IApprovalObjects>(sp => sp.GetRequiredService<ClusterApprovalCache>());
        services.AddSingleton<Access.IAccessReviewer, Access.SubjectAccessReviewer>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterApprovalCache>());
        services.AddSingleton<IStatusClient, KubernetesStatusClient>();

        services.AddBreakGlass(options);
        if (options.CertSecret is not null)
        {
            services.AddSelfCertificates(options);
        }

        return options.LeaderElection ? services.AddLeaderWork(options) : services;
    }

    /// <summary>
    /// The one place cluster mode makes its API clients: the shared client every service takes,
    /// and the target reader's own. Returns the namespace to run in.
    /// </summary>
    private static string AddClients(IServiceCollection services, ServeOptions options)
    {
        var config = Cli.ClusterConfiguration.Load(options.Kubeconfig, "serve",
            "no cluster to run against: pass --kubeconfig FILE, run inside a cluster, or pass --approvals PATH to run locally");
        // Lists and writes that hang are abandoned and retried; watches are not bound by this.
        config.HttpClientTimeout = TimeSpan.FromSeconds(30);
        services.AddSingleton<IKubernetes>(_ => ClientSetup.Create(config));
        // Its own client: the core-group path rewrite it needs stays out of every other call.
        services.AddSingleton<ITargetReader>(_ => new KubernetesTargetReader(ClientSetup.Create(config, coreGroupPaths: true)));
        return options.Namespace ?? config.Namespace ?? "default";
    }
}
