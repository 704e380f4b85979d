namespace Admission.Fuzz.Targets;

/// <summary>One fuzz target: takes one input and throws <see cref="InvariantViolationException"/> when the answer breaks a rule.</summary>
public interface ITarget
{
    void Run(byte[] input);
}

/// <summary>Thrown out of a target so that afl records the input as a crash.</summary>
public sealed class InvariantViolationException(string message) : Exception(message);
