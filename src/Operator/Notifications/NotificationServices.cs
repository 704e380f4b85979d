using Admission.Operator.Cluster;
using Admission.Operator.Hosting;

namespace Admission.Operator.Notifications;

/// <summary>The leader's notifications of ChangeApproval events, with <c>--notifications FILE</c>.</summary>
internal static class NotificationServices
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, ServeOptions options)
    {
        if (options.Notifications is null) return services;
        // Read at start: a bad file stops the server with the file and field named.
        var receivers = NotificationConfigReader.Load(options.Notifications);
        services.AddSingleton(receivers);
        services.AddSingleton(options.NotificationTimings);
        // With the leader's IApprovalObjects and IAnnotationWriter (LeaderWorkServices).
        services.AddSingleton<ILeaderWork, NotificationDispatcher>();
        return services;
    }
}
