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
    /// <summary>Takes the cluster's <see cref="IStatusClient"/> and <see cref="ClusterTimings"/> (<see cref="ClusterServices"/>).</summary>
    public static IServiceCollection AddBreakGlass(this IServiceCollection services, ServeOptions options)
    {
        if (options.OperatorUser is not { } operatorUser) return services;
        // Every replica: whichever admitted the break glass knows who broke it, and opens its review.
        services.AddSingleton(new OperatorIdentity(operatorUser));
        services.AddSingleton<IApprovalCreator, KubernetesApprovalCreator>();
        services.AddSingleton<RetrospectiveOpener>();
        services.AddSingleton<IBreakGlassLedger>(sp => sp.GetRequiredService<RetrospectiveOpener>());
        services.AddHostedService(sp => sp.GetRequiredService<RetrospectiveOpener>());
        return services;
    }
}
