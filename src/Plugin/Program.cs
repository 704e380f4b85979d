using Admission.Plugin.Cli;
using Admission.Plugin.Kube;

namespace Admission.Plugin;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        Console.OutputEncoding = System.Text.Encoding.UTF8;
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        var host = new PluginHost
        {
            Out = Console.Out,
            Err = Console.Error,
            Connector = new KubeConnector(Environment.GetEnvironmentVariable),
            // A confirmation is asked only of a person at a terminal; a script passes --yes.
            In = Console.IsInputRedirected ? null : Console.In,
        };
        try
        {
            return await new PluginApp(host).RunAsync(args, cancel.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Commands turn every failure into a message; this is the last guard against a stack trace.
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
    }
}
