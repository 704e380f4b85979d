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

    public static int Report(TextWriter stderr, IEnumerable<string> messages) => Report(stderr, messages, json: false);

    /// <inheritdoc cref="Report(TextWriter, IEnumerable{string}, bool)"/>
    public static int Report(TextWriter stderr, IEnumerable<InputError> errors, bool json) => Report(stderr, errors.Select(e => e.ToString()), json);

    /// <summary>
    /// With <paramref name="json"/> (<c>serve --log-format json</c>) each error is a JSON object
    /// like serve's other lines (<see cref="Hosting.StartupLog"/>), so a log pipeline keeps it.
    /// </summary>
    public static int Report(TextWriter stderr, IEnumerable<string> messages, bool json)
    {
        foreach (var message in messages)
        {
            if (json) Hosting.StartupLog.WriteJsonError(stderr, "error: " + message, TimeProvider.System.GetUtcNow());
            else stderr.WriteLine("error: " + message);
        }
        return ExitCode;
    }
}
