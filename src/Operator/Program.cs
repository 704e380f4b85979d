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
            InputErrors.Report(Console.Error, e.Errors);
            return UsageError;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            // Environment problems (a port in use, an unreadable key) are not bugs: say what, not where in the code.
            InputErrors.Report(Console.Error, [e.Message]);
            return UsageError;
        }
    }
}
