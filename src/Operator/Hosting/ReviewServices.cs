using Admission.Operator.Observability;
using Admission.Operator.PolicyReload;
using Admission.Operator.State;
using Admission.Operator.Webhook;

namespace Admission.Operator.Hosting;

/// <summary>What decides a review: the handler, over whichever approval state and cluster services the mode registered, and the decision log.</summary>
internal static class ReviewServices
{
    public static IServiceCollection AddReviews(this IServiceCollection services, ServeOptions options)
    {
        services.AddSingleton(TimeProvider.System);
        // Disposed with the app, after the server has stopped, so lines of the last requests are written.
        services.AddSingleton(sp => DecisionLog.ForStandardOutput(options.LogFormat, sp.GetRequiredService<TimeProvider>()));
        // A factory, not the container's choice: ReviewHandler has a second constructor (a fixed policy) for tests.
        services.AddSingleton(sp => new ReviewHandler(sp.GetRequiredService<PolicySource>(), sp.GetRequiredService<IApprovalState>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ReviewHandler>>(), sp.GetService<DecisionLog>(),
            sp.GetService<Access.IAccessReviewer>(), sp.GetService<BreakGlass.IBreakGlassLedger>(), sp.GetService<BreakGlass.OperatorIdentity>()));
        return services;
    }
}
