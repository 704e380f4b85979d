using System.CommandLine;

namespace Admission.Operator.Cli;

internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the validating admission webhook over HTTPS");
        command.SetAction(_ => 0);
        return command;
    }
}
