using System.CommandLine;
using Admission.Operator.Hosting;

namespace Admission.Operator.Cli;

/// <summary>
/// <c>admission serve</c>: bind the options once, stop with exit 2 on any input error, build the
/// host from the options, run it until stopped.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var flags = new ServeFlags();
        var command = flags.NewCommand();
        command.SetAction((result, cancellationToken) => RunAsync(result, flags, ProcessEnvironment.Instance, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, ServeFlags flags, IEnvironmentVariables environment, CancellationToken cancellationToken)
    {
        // The one value read beside the binder: how to write the binder's own errors.
        var json = result.GetValue(flags.LogFormat) == "json";
        var (options, errors) = ServeOptionsBinder.Bind(result, flags, environment);
        if (options is null) return InputErrors.Report(Console.Error, errors, json);
        var (policy, startupErrors) = ServeStartup.Check(options);
        if (policy is null) return InputErrors.Report(Console.Error, startupErrors, json);
        try
        {
            await using var app = WebhookHost.Build(options, policy);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(WebhookHost.Category).LogInformation(
                "admission webhook listening on {Listen} ({Mode})", options.Listen,
                options.LocalMode ? "local mode: " + string.Join(", ", options.Approvals) : "cluster mode");
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (Policies.InputException e)
        {
            // What only building the host finds (a kubeconfig that does not parse, a notifications file with a bad field).
            return InputErrors.Report(Console.Error, e.Errors, json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            // Environment problems (the port taken after the check, an unreadable key) are not bugs: say what, not where in the code.
            return InputErrors.Report(Console.Error, [e.Message], json);
        }
    }
}
