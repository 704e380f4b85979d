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
    /// <summary>Takes the cluster's <see cref="ClusterSettings"/>, <see cref="ClusterTimings"/>, <see cref="IApprovalObjects"/> and <see cref="IStatusClient"/> (<see cref="ClusterServices"/>).</summary>
    public static IServiceCollection AddLeaderWork(this IServiceCollection services, ServeOptions options)
    {
        services.AddSingleton<ILeaderElection, LeaseLeaderElection>();
        services.AddSingleton<ILeaderWork, ApprovalStatusController>();
        services.AddSingleton<Notifications.IAnnotationWriter, Notifications.KubernetesAnnotationWriter>();
        services.AddSingleton<ILeaderWork, Audit.AuditRecorder>();
        services.AddSingleton<Audit.IFinalizerWriter, Audit.KubernetesFinalizerWriter>();
        services.AddSingleton<ILeaderWork, Audit.AuditFinalizer>();
        services.AddNotifications(options);
        services.AddHostedService<LeaderService>();
        return services;
    }
}
