using Admission.Operator.Hosting;
using Admission.Operator.State;

namespace Admission.Operator.Local;

/// <summary>Local mode (<c>--approvals</c>): approvals and Namespaces from files, read as the host starts (ready once indexed) and followed for changes.</summary>
internal static class LocalModeServices
{
    public static IServiceCollection AddLocalApprovals(this IServiceCollection services, ServeOptions options)
    {
        services.AddSingleton(sp => new LocalApprovalStore(options.Approvals, sp.GetRequiredService<ILogger<LocalApprovalStore>>()));
        services.AddSingleton<IApprovalState>(sp => sp.GetRequiredService<LocalApprovalStore>());
        services.AddHostedService(sp => sp.GetRequiredService<LocalApprovalStore>());
        return services;
    }
}
