namespace Admission.Operator.Cli;

/// <summary>
/// The process environment as the commands read it: through this, so a test hands the binder a
/// dictionary instead of setting variables on the test process that every other test would see.
/// </summary>
public interface IEnvironmentVariables
{
    /// <summary>The variable's value; null when it is unset.</summary>
    string? Get(string name);
}

/// <summary>The real environment. The only reader of <see cref="Environment.GetEnvironmentVariable(string)"/> in the program.</summary>
public sealed class ProcessEnvironment : IEnvironmentVariables
{
    public static readonly ProcessEnvironment Instance = new();

    private ProcessEnvironment()
    {
    }

    public string? Get(string name) => Environment.GetEnvironmentVariable(name);
}
