using System.Text.Json;

namespace Admission.Operator.Cli;

/// <summary>
/// How <c>admission check</c> prints its decisions (contract section 6). Standard output holds
/// the decisions only; check's own warnings go to standard error from <see cref="CheckRunner"/>.
/// </summary>
public static class CheckOutput
{
    /// <summary>Indent of a denial's message and of warnings under their object's line.</summary>
    public const string Indent = "    ";

    /// <param name="onStderr">Warnings already written to standard error (an unknown namespace): not repeated in text.</param>
    public static void Write(IReadOnlyList<CheckResult> results, bool json, TextWriter stdout, IReadOnlySet<string> onStderr)
    {
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(results, AdmissionJson.Relaxed.ListCheckResult));
            return;
        }
        foreach (var r in results)
        {
            WriteText(r, stdout, onStderr);
        }
    }

    /// <summary>
    /// One line per object, <c>ALLOWED|DENIED Kind namespace/name decision [approval]</c>, so that
    /// <c>grep ^DENIED</c> finds every denial; the denial's message as the engine wrote it, one
    /// line per ChangeApproval, indented below, then any warnings.
    /// </summary>
    public static void WriteText(CheckResult r, TextWriter stdout, IReadOnlySet<string> onStderr)
    {
        var name = r.Namespace.Length == 0 ? r.Name : $"{r.Namespace}/{r.Name}";
        var decision = r.Approval is null ? r.Decision : $"{r.Decision} {r.Approval}";
        stdout.WriteLine($"{(r.Allowed ? "ALLOWED" : "DENIED")} {r.Kind} {name} {decision}");
        if (!r.Allowed)
        {
            foreach (var line in r.Message.Split('\n'))
            {
                var text = line.TrimEnd();
                if (text.Length > 0) stdout.WriteLine(Indent + text);
            }
        }
        foreach (var warning in r.Warnings)
        {
            if (onStderr.Contains(warning)) continue;
            stdout.WriteLine($"{Indent}warning: {warning}");
        }
    }
}
