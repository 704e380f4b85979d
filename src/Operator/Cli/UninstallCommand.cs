using System.CommandLine;
using Admission.Kubernetes;
using Admission.Operator.Uninstall;
using Admission.Policies;

namespace Admission.Operator.Cli;

/// <summary>
/// <c>admission uninstall</c>: what the chart's pre-delete hook runs (same image, no other tool).
/// Exit 0 when the gate is down and no ChangeApproval carries the audit finalizer; 1 naming what
/// is left; 2 for bad arguments.
/// </summary>
internal static class UninstallCommand
{
    public const int SomethingLeft = 1;

    public static Command Create()
    {
        var ns = new Option<string?>("--namespace") { Description = "The release's namespace (the operator Deployment's); default $POD_NAMESPACE" };
        var webhookConfig = new Option<string>("--webhook-configuration") { Description = "The chart's ValidatingWebhookConfiguration, deleted first", DefaultValueFactory = _ => "admission" };
        var deployment = new Option<string>("--deployment") { Description = "The operator Deployment, scaled to 0", DefaultValueFactory = _ => "admission" };
        var timeout = new Option<string>("--timeout") { Description = "How long to wait for the operator's pods to go", DefaultValueFactory = _ => "120s" };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "kubeconfig file (default: in-cluster configuration)" };
        var command = new Command("uninstall",
            "Take the gate down before the chart is removed: delete the webhook configuration, scale the operator to 0 and wait for its pods, " +
            "then remove the audit finalizer from every ChangeApproval. Exit status: 0 done, 1 something left (named), 2 bad arguments.")
        {
            ns, webhookConfig, deployment, timeout, kubeconfig,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var errors = new List<InputError>();
            var namespaceName = result.GetValue(ns) ?? ProcessEnvironment.Instance.Get(ServeOptionsBinder.PodNamespaceVariable);
            if (string.IsNullOrWhiteSpace(namespaceName)) errors.Add(new InputError("--namespace", null, "", "give the release's namespace (or set $POD_NAMESPACE)"));
            var timeoutText = result.GetValue(timeout)!;
            if (!GoDuration.TryParse(timeoutText, out var podTimeout) || podTimeout < TimeSpan.Zero)
            {
                errors.Add(new InputError("--timeout", null, "", $"\"{timeoutText}\" is not a duration such as 120s"));
            }
            if (errors.Count > 0) throw new InputException(errors);

            using var client = ClientSetup.Create(ClusterConfiguration.Load(result.GetValue(kubeconfig), "uninstall",
                "no cluster to run against: pass --kubeconfig FILE or run inside a cluster"));
            var targets = new UninstallTargets(namespaceName!, result.GetValue(webhookConfig)!, result.GetValue(deployment)!, podTimeout);
            IReadOnlyList<string> left;
            try
            {
                left = await new ChartUninstaller(client, TimeProvider.System, Console.Out).RunAsync(targets, cancellationToken).ConfigureAwait(false);
            }
            catch (k8s.Autorest.HttpOperationException e)
            {
                left = [$"the API server refused {e.Request?.Method} {e.Request?.RequestUri?.AbsolutePath}: {ApiError.From(e).Summary}"];
            }
            catch (HttpRequestException e)
            {
                left = [$"the API server could not be reached: {e.Message}"];
            }
            if (left.Count == 0)
            {
                Console.Out.WriteLine("done: the gate is down and no ChangeApproval is held by the audit finalizer");
                return 0;
            }
            foreach (var line in left) Console.Error.WriteLine("error: " + line);
            Console.Error.WriteLine("not finished: docs/operating.md (\"Uninstalling\") says how to finish by hand");
            return SomethingLeft;
        });
        return command;
    }
}
