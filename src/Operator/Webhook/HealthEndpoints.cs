using Admission.Operator.State;
using Admission.Operator.Tls;

namespace Admission.Operator.Webhook;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        // Liveness says only that the process serves HTTP: restarting for a lost API server would not help.
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", (IApprovalState state, CertificateStore certificates, PolicyReload.PolicySource policies, Hosting.ShutdownDrain drain, IServiceProvider services) =>
        {
            if (drain.Draining)
            {
                return Results.Text($"not ready\nstopping: draining for {drain.Delay.TotalSeconds}s before the listener closes\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            var readiness = state.Readiness;
            var certOk = certificates.Current is not null;
            var source = services.GetService<ICertificateSource>();
            var detail = $"certificates: {(certOk ? "loaded, expire " + certificates.NotAfter.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "not loaded")}" +
                (source is null ? "" : $" (from {source.Description})") +
                // A failed reload keeps the certificate in force, so it does not make the replica unready.
                (source?.Health.LastError is { } error ? $"; last load failed: {error}" : "") +
                $"\napprovals: {readiness.Detail}\n{policies.Detail()}\n";
            return certOk && readiness.Ready
                ? Results.Text("ok\n" + detail)
                : Results.Text("not ready\n" + detail, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return app;
    }
}
