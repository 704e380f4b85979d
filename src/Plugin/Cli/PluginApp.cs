using Admission.Kubernetes;
using Admission.Plugin.Kube;

namespace Admission.Plugin.Cli;

public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Refused by the webhook or the API server, not found, unreachable.</summary>
    public const int Failed = 1;
    /// <summary>A mistake in the command line.</summary>
    public const int Usage = 2;
}

/// <summary>A failure already worded for the user; printed as is.</summary>
public sealed class CommandFailedException : Exception
{
    public CommandFailedException() { }

    public CommandFailedException(string message) : base(message) { }

    public CommandFailedException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The command tree of <c>kubectl change</c>, and the one place errors become messages.</summary>
public sealed class PluginApp(PluginHost host)
{
    public const string Name = "kubectl change";

    public PluginHost Host { get; } = host;

    public CommonOptions Common { get; } = new();

    public Command BuildRoot()
    {
        var root = new RootCommand(
            "Request and approve changes to Tier-1 workloads guarded by the Admission webhook (two-person rule).\n\n" +
            "A requester creates a ChangeApproval for one workload; two approvers other than the requester approve it;\n" +
            "then kubectl apply of that workload is admitted until the approval expires.\n\n" +
            "  kubectl change request deployment/checkout --reason \"Roll out 2.4.1\" --from-file deploy.yaml\n" +
            "  kubectl change approve checkout-7x2kq --comment \"checked the canary\"\n" +
            "  kubectl change list\n" +
            "  kubectl change why deployment/checkout -f deploy.yaml\n\n" +
            "Uses the current kubeconfig context and namespace, like kubectl (--kubeconfig, --context, -n).")
        {
            RequestCommand.Create(this),
            ApproveCommands.CreateApprove(this),
            ApproveCommands.CreateReject(this),
            ApproveCommands.CreateWithdraw(this),
            ListCommands.CreateList(this),
            ListCommands.CreateShow(this),
            WhyCommand.Create(this),
            HistoryCommand.Create(this),
        };
        Common.AddTo(root);
        Admission.CommandLine.CliConventions.Apply(root, Name);
        root.SetAction(result =>
        {
            Host.Err.WriteLine("error: a command is required: request, approve, reject, withdraw, list, show or why.");
            Host.Err.WriteLine("See 'kubectl change --help'.");
            return ExitCodes.Usage;
        });
        return root;
    }

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var root = BuildRoot();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                Host.Err.WriteLine("error: " + error.Message);
            }
            var command = string.Join(' ', parsed.CommandResult.Command is { } c && c != root ? Path(parsed) : []);
            Host.Err.WriteLine($"See 'kubectl change {(command.Length == 0 ? "" : command + " ")}--help'.");
            return ExitCodes.Usage;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration
        {
            Output = Host.Out,
            Error = Host.Err,
            EnableDefaultExceptionHandler = false,
        }, cancellationToken).ConfigureAwait(false);
    }

    private static IEnumerable<string> Path(ParseResult parsed)
    {
        var names = new List<string>();
        for (var r = parsed.CommandResult; r?.Parent is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, r.Command.Name);
        }
        return names;
    }

    /// <summary>
    /// Connects as the options say and runs <paramref name="body"/>; every failure becomes one
    /// message on standard error and an exit status, never a stack trace.
    /// </summary>
    /// <param name="local">Checks that need no cluster, run first: a mistake in the command line is exit 2 even when the cluster is unreachable.</param>
    public async Task<int> Run(ParseResult result, string command, Func<ClusterConnection, Task<int>> body, int errorExit = ExitCodes.Failed, Action? local = null)
    {
        ClusterConnection? connection = null;
        try
        {
            local?.Invoke();
            connection = Host.Connector.Connect(Common.Selection(result));
            return await body(connection).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            Host.Err.WriteLine("error: " + e.Message);
            Host.Err.WriteLine($"See 'kubectl change {command} --help'.");
            return ExitCodes.Usage;
        }
        catch (CommandFailedException e)
        {
            Host.Err.WriteLine(e.Message);
            return errorExit;
        }
        catch (KubeconfigException e)
        {
            Host.Err.WriteLine("error: " + e.Message);
            return errorExit;
        }
        catch (ClusterUnreachableException e)
        {
            Host.Err.WriteLine($"error: {e.Message} (context {connection?.Context}). Is the cluster up, and is your kubeconfig current?");
            return errorExit;
        }
        catch (KubernetesApiException e)
        {
            Host.Err.WriteLine(ApiMessages.Describe(e, connection));
            return errorExit;
        }
        catch (OperationCanceledException)
        {
            Host.Err.WriteLine("error: interrupted");
            return errorExit;
        }
        catch (Exception e)
        {
            Host.Err.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            return errorExit;
        }
        finally
        {
            connection?.Client.Dispose();
        }
    }
}

/// <summary>API errors other than webhook refusals, in words.</summary>
public static class ApiMessages
{
    public static string Describe(KubernetesApiException e, ClusterConnection? c)
    {
        var message = e.Message.TrimEnd('.');
        var where = c is null ? "" : $" at {c.Server}";
        if (Text.Refusals.WebhookMessage(e) is { } webhook)
        {
            return $"error: refused by the admission webhook: {webhook}";
        }
        return e switch
        {
            { IsUnauthorized: true } => $"error: the API server{where} did not accept your credentials (401 Unauthorized, context {c?.Context}); log in again or fix the user in your kubeconfig.",
            { IsForbidden: true } => $"error: the cluster does not allow this (403 Forbidden): {message}. Ask your cluster administrator for access.",
            { IsTypeNotServed: true } => $"error: the cluster does not serve this resource ({message}); is Admission installed, with the ChangeApproval CRD?",
            { IsNotFound: true } => $"error: not found: {message}.",
            { IsConflict: true } => $"error: {message} (409 Conflict); run the command again.",
            { IsInvalid: true } => $"error: the API server rejected it as invalid: {message}.",
            { IsServerError: true } when message.Contains("failed calling webhook", StringComparison.Ordinal) =>
                $"error: the admission webhook could not be reached, so nothing was changed (the gate fails closed): {message}. Try again shortly; if it persists, tell the platform team.",
            _ => $"error: the API server answered {e.StatusLine}: {message}.",
        };
    }
}
