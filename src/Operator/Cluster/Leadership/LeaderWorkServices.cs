using Admission.Operator.Hosting;
using Admission.Operator.Notifications;
using Admission.Policies;
using k8s;

namespace Admission.Operator.Cluster;

/// <summary>
/// What only the elected leader runs (unless <c>--no-leader-election</c>): the Lease, the status
/// operator, the audit record and finalizer, notifications.
/// </summary>
internal static class LeaderWorkServices
{
    /// <param name="ns">The namespace of the Lease.</param>
    /// <param name="identity">This replica's identity in the Lease and in the events it writes.</param>
    public static IServiceCollection AddLeaderWork(this IServiceCollection services, ServeOptions options, string ns, string identity)
    {
        var timings = options.Timings;
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
        services.AddNotifications(options);
        services.AddHostedService<LeaderService>();
        return services;
    }
}
