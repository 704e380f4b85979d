using System.Threading.RateLimiting;
using Admission.Operator.Observability;
using Microsoft.AspNetCore.RateLimiting;

namespace Admission.Operator.Hosting;

/// <summary>
/// The bound on reviews decided at once (<see cref="WebhookLimits.MaxConcurrentReviews"/>). Only
/// <c>/validate</c> is counted: probes and metrics must answer while reviews are shed, or the
/// kubelet would restart a webhook that is merely busy.
/// </summary>
internal static class ReviewConcurrency
{
    public static string Message(int limit) =>
        $"the admission webhook is deciding as many reviews as it allows at once ({limit}); retry shortly";

    public static void Add(IServiceCollection services, WebhookLimits limits)
    {
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.Request.Path.StartsWithSegments("/validate", StringComparison.Ordinal)
                    ? RateLimitPartition.GetConcurrencyLimiter("validate", _ => new ConcurrencyLimiterOptions
                    {
                        PermitLimit = limits.MaxConcurrentReviews,
                        // No queue: a review that waited would be answered after kube-apiserver gave up on it.
                        QueueLimit = 0,
                    })
                    : RateLimitPartition.GetNoLimiter("other"));
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (rejected, cancellationToken) =>
            {
                LimitMetrics.ReviewsShed.Inc();
                var response = rejected.HttpContext.Response;
                // Retry-After makes kube-apiserver's client retry the call after a pause instead of failing it at once.
                response.Headers.RetryAfter = "1";
                response.ContentType = "text/plain; charset=utf-8";
                return new ValueTask(response.WriteAsync(Message(limits.MaxConcurrentReviews) + "\n", cancellationToken));
            };
        });
    }
}
