using System.CommandLine;
using Admission.Operator.Cli;

namespace Admission.Operator;

public static class Program
{
    public const int UsageError = InputErrors.ExitCode;

    public static int Main(string[] args)
    {
        var root = new RootCommand("admission: a two-person approval gate for changes to Tier-1 Kubernetes workloads")
        {
            CheckCommand.Create(),
            DigestCommand.Create(),
            ServeCommand.Create(),
            PolicyCommand.Create(),
            UninstallCommand.Create(),
        };
        Admission.CommandLine.CliConventions.Apply(root, "admission");
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            InputErrors.Report(Console.Error, parsed.Errors.Select(e => e.Message));
            Console.Error.WriteLine("See 'admission --help'.");
            return UsageError;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Policies.InputException e)
        {
            Report(parsed, e.Errors.Select(error => error.ToString()));
            return UsageError;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            // Environment problems (a port in use, an unreadable key) are not bugs: say what, not where in the code.
            Report(parsed, [e.Message]);
            return UsageError;
        }
    }

    /// <summary>An error the host raised while starting, in the format serve's other lines are in.</summary>
    private static void Report(ParseResult parsed, IEnumerable<string> errors) =>
        InputErrors.Report(Console.Error, errors, json: parsed.CommandResult.Command.Name == "serve" && parsed.GetValue<string>("--log-format") == "json");
}
