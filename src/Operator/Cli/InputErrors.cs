using Admission.Policies;

namespace Admission.Operator.Cli;

/// <summary>
/// The one exit path for input a user wrote wrongly, whichever command read it (<c>check</c>,
/// <c>digest</c>, <c>policy check</c>, <c>serve</c>'s startup): every problem as an
/// <c>error: FILE:LINE: FIELD: message</c> line, exit code 2, never a stack trace.
/// </summary>
public static class InputErrors
{
    public const int ExitCode = 2;

    public static int Report(TextWriter stderr, IEnumerable<InputError> errors) => Report(stderr, errors.Select(e => e.ToString()));

    public static int Report(TextWriter stderr, IEnumerable<string> messages)
    {
        foreach (var message in messages) stderr.WriteLine("error: " + message);
        return ExitCode;
    }
}
