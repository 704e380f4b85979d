using System.CommandLine;
using Admission.Operator.Manifests;
using Admission.Policies;
using Admission.Policies.Model;

namespace Admission.Operator.Cli;

internal static class CheckCommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "File or folder of YAML or JSON manifests to decide (repeatable); - reads standard input",
            AllowMultipleArgumentsPerToken = false,
        };
        var approvals = new Option<string[]>("--approvals")
        {
            Description = "File or folder of ChangeApproval manifests (repeatable); other kinds there are skipped, Namespaces give labels",
        };
        var tier1 = new Option<string[]>("--tier1") { Description = "Treat this namespace as Tier-1 without a Namespace object (repeatable)" };
        var policy = new Option<string?>("--policy") { Description = "Policy file (AdmissionPolicy YAML); defaults apply without it" };
        var user = new Option<string>("--user") { Description = "Username making the change", DefaultValueFactory = _ => "unknown" };
        var groups = new Option<string[]>("--group") { Description = "A group of the user (repeatable)" };
        var live = new Option<string[]>("--live")
        {
            Description = "File or folder of live objects (repeatable): an input object with a live one of the same kind, namespace and name is decided as its UPDATE (with --operation DELETE, its DELETE)",
        };
        var operation = new Option<string?>("--operation") { Description = "CREATE, UPDATE or DELETE (default CREATE, or UPDATE where --live has the object)" };
        operation.AcceptOnlyFromAmong("CREATE", "UPDATE", "DELETE");
        var now = new Option<string?>("--now") { Description = "Decide as of this RFC 3339 time (default: the clock)" };
        var ns = new Option<string>("--namespace", "-n") { Description = "Namespace for objects without one", DefaultValueFactory = _ => "default" };
        var output = new Option<string>("--output", "-o") { Description = "text or json", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");

        var command = new Command("check", "Decide offline, as the webhook would, whether applying manifests would be admitted. " +
            "Exit status: 0 all allowed, 1 any denied, 2 usage or input error.")
        {
            files, approvals, tier1, live, policy, user, groups, operation, now, ns, output,
        };
        command.SetAction(result =>
        {
            var nowText = result.GetValue(now);
            DateTimeOffset instant = TimeProvider.System.GetUtcNow();
            if (nowText is not null && !ChangeApprovalReader.TryParseTime(nowText, out instant))
            {
                return InputErrors.Report(Console.Error, [new Policies.InputError("--now", null, "", $"\"{nowText}\" is not an RFC 3339 time such as 2026-03-06T12:00:00Z")]);
            }
            Operation? op = Operations.TryParse(result.GetValue(operation), out var parsed) ? parsed : null;
            var options = new CheckOptions(
                result.GetValue(files) ?? [],
                result.GetValue(approvals) ?? [],
                result.GetValue(policy),
                result.GetValue(user) ?? "unknown",
                result.GetValue(groups) ?? [],
                op,
                instant,
                result.GetValue(ns) ?? "default",
                result.GetValue(output) == "json")
            {
                Tier1 = result.GetValue(tier1) ?? [],
                Live = result.GetValue(live) ?? [],
            };
            return CheckRunner.Run(options, Console.Out, Console.Error);
        });
        return command;
    }
}
