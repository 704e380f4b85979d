using Admission.Operator.Hosting;
using Admission.Operator.State;

namespace Admission.Operator.Local;

/// <summary>Local mode (<c>--approvals</c>): approvals and Namespaces from files, read before serving and followed for changes.</summary>
internal static class LocalModeServices
{
    public static IServiceCollection AddLocalApprovals(this IServiceCollection services, ServeOptions options)
    {
        services.AddSingleton(sp =>
        {
            var store = new LocalApprovalStore(options.Approvals, sp.GetRequiredService<ILogger<LocalApprovalStore>>());
            store.LoadInitial();
            return store;
        });
        services.AddSingleton<IApprovalState>(sp => sp.GetRequiredService<LocalApprovalStore>());
        services.AddHostedService(sp => sp.GetRequiredService<LocalApprovalStore>());
        return services;
    }
}
