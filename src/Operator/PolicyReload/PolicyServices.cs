using Admission.Policies;

namespace Admission.Operator.PolicyReload;

/// <summary>The policy in force: the reloadable source the webhook reads, and the one the process started with.</summary>
internal static class PolicyServices
{
    public static IServiceCollection AddPolicy(this IServiceCollection services, PolicySource policies)
    {
        services.AddSingleton(policies);
        // The operator's status and notification work reads the policy the process started with.
        services.AddSingleton<AdmissionPolicy>(policies.Current.Policy);
        if (policies.File is not null) services.AddHostedService<PolicyFileReloader>();
        return services;
    }
}
