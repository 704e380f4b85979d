namespace Admission.Policies;

/// <summary>A problem in something a user wrote, located well enough to fix it.</summary>
public sealed record InputError(string Source, int? Line, string Field, string Message)
{
    public override string ToString()
    {
        var where = Line is { } line ? $"{Source}:{line}" : Source;
        return Field.Length == 0 ? $"{where}: {Message}" : $"{where}: {Field}: {Message}";
    }
}

public sealed class InputException(IReadOnlyList<InputError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<InputError> Errors { get; } = errors;
}
