using Admission.Operator.Cluster;
using Admission.Operator.Hosting;
using Admission.Policies;
using k8s;

namespace Admission.Operator.BreakGlass;

/// <summary>
/// Cluster mode with <c>--operator-user</c>: each break-glass admission gets a retrospective
/// ChangeApproval, opened by whichever replica admitted it. Without the flag, nothing.
/// </summary>
internal static class BreakGlassServices
{
    /// <param name="identity">This replica's identity, the author of the events it writes.</param>
    public static IServiceCollection AddBreakGlass(this IServiceCollection services, ServeOptions options, string identity)
    {
        if (options.OperatorUser is not { } operatorUser) return services;
        var timings = options.Timings;
        // Every replica: whichever admitted the break glass knows who broke it, and opens its review.
        services.AddSingleton(new OperatorIdentity(operatorUser));
        services.AddSingleton(sp => new RetrospectiveOpener(
            new KubernetesApprovalCreator(sp.GetRequiredService<IKubernetes>()),
            new KubernetesStatusClient(sp.GetRequiredService<IKubernetes>(), identity, sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<AdmissionPolicy>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(),
            timings.BackoffInitial, timings.BackoffMax));
        services.AddSingleton<IBreakGlassLedger>(sp => sp.GetRequiredService<RetrospectiveOpener>());
        services.AddHostedService(sp => sp.GetRequiredService<RetrospectiveOpener>());
        return services;
    }
}
