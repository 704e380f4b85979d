namespace Admission.Tests.Shared;

/// <summary>
/// Waiting in tests without fixed sleeps: <see cref="UntilAsync"/> polls a condition until it holds
/// or a deadline passes; <see cref="ConsistentlyAsync"/> is how "nothing happened" is asserted: the
/// condition is checked all through a bounded span and the test fails the moment it stops holding,
/// naming what it claimed (as Gomega's Consistently does).
/// </summary>
internal static class Polling
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string>? detail = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {timeout.TotalSeconds:0.#}s waiting for: {what}{Detail(detail)}");
            await Task.Delay(Interval);
        }
    }

    public static async Task ConsistentlyAsync(Func<bool> condition, TimeSpan span, string what, Func<string>? detail = null)
    {
        var started = DateTime.UtcNow;
        var end = started + span;
        do
        {
            if (!condition()) Assert.Fail($"stopped holding after {(DateTime.UtcNow - started).TotalMilliseconds:0} ms of {span.TotalMilliseconds:0}: {what}{Detail(detail)}");
            await Task.Delay(Interval);
        }
        while (DateTime.UtcNow < end);
        // The last look comes after the span, so a change at its very end is still seen.
        if (!condition()) Assert.Fail($"stopped holding at the end of {span.TotalMilliseconds:0} ms: {what}{Detail(detail)}");
    }

    private static string Detail(Func<string>? detail) => detail is null ? "" : "\n" + detail();
}
