using Admission.Operator.Observability;

namespace Admission.Operator.Hosting;

/// <summary>
/// The bound on reviews decided at once (<see cref="WebhookLimits.MaxConcurrentReviews"/>). Only
/// <c>/validate</c> is counted: probes and metrics must answer while reviews are shed, or the
/// kubelet would restart a webhook that is merely busy.
/// </summary>
/// <remarks>
/// One counter, changed with interlocked adds around each review, not ASP.NET Core's rate-limiting
/// middleware: that took a partition lookup, two locks and a lease object on every request, and
/// ran for every path though only one is bounded. There is no queue: a review that waited would be
/// answered after kube-apiserver gave up on it.
/// </remarks>
public sealed class ReviewConcurrency(int limit)
{
    private int _inFlight;

    public int Limit => limit;

    /// <summary>Reviews being decided now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public static string Message(int limit) =>
        $"the admission webhook is deciding as many reviews as it allows at once ({limit}); retry shortly";

    /// <summary><paramref name="next"/> for each request while fewer than the limit are in it; a 429 at once for the others.</summary>
    public RequestDelegate Around(RequestDelegate next) => context =>
    {
        if (Interlocked.Increment(ref _inFlight) > limit)
        {
            Interlocked.Decrement(ref _inFlight);
            return ShedAsync(context);
        }
        return RunAsync(next, context);
    };

    private async Task RunAsync(RequestDelegate next, HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private Task ShedAsync(HttpContext context)
    {
        LimitMetrics.ReviewsShed.Inc();
        var response = context.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        // Retry-After makes kube-apiserver's client retry the call after a pause instead of failing it at once.
        response.Headers.RetryAfter = "1";
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync(Message(limit) + "\n", context.RequestAborted);
    }

    public static IServiceCollection Add(IServiceCollection services, WebhookLimits limits) =>
        services.AddSingleton(new ReviewConcurrency(limits.MaxConcurrentReviews));
}
