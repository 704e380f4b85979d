using Admission.Operator.Cluster;
using Admission.Operator.Hosting;
using Admission.Policies;
using k8s;

namespace Admission.Operator.Notifications;

/// <summary>The leader's notifications of ChangeApproval events, with <c>--notifications FILE</c>.</summary>
internal static class NotificationServices
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, ServeOptions options)
    {
        if (options.Notifications is null) return services;
        // Read at start: a bad file stops the server with the file and field named.
        var receivers = NotificationConfigReader.Load(options.Notifications);
        services.AddSingleton<ILeaderWork>(sp => new NotificationDispatcher(
            sp.GetRequiredService<ClusterApprovalCache>(), new KubernetesAnnotationWriter(sp.GetRequiredService<IKubernetes>()),
            receivers, sp.GetRequiredService<AdmissionPolicy>(), options.NotificationTimings, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<NotificationDispatcher>>()));
        return services;
    }
}
