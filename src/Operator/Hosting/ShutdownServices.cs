namespace Admission.Operator.Hosting;

/// <summary>How serve stops: the drain delay (<see cref="ShutdownDrain"/>), then at most <see cref="ServeOptions.InFlightGrace"/> for reviews in flight.</summary>
internal static class ShutdownServices
{
    public static IServiceCollection AddShutdownDrain(this IServiceCollection services, ServeOptions options)
    {
        services.Configure<HostOptions>(o => o.ShutdownTimeout = options.DrainDelay + ServeOptions.InFlightGrace);
        services.AddSingleton(sp => new ShutdownDrain(options.DrainDelay, sp.GetRequiredService<ILogger<ShutdownDrain>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownDrain>());
        return services;
    }
}
