using Admission.Fuzz.Harness;

namespace Admission.Fuzz.Targets;

/// <summary>The whole review path: body bytes through the real endpoint to the answer, checked by <see cref="ReviewOracle"/>.</summary>
public sealed class ReviewTarget(bool strict) : ITarget
{
    private readonly InProcessWebhook _webhook = InProcessWebhook.Start(Examples.Policy(), Examples.Snapshot(), Examples.Now);

    public void Run(byte[] input)
    {
        var (status, body) = _webhook.Post(input);
        if (ReviewOracle.Violation(input, status, body, strict) is { } violation)
        {
            throw new InvariantViolationException(violation);
        }
    }
}
