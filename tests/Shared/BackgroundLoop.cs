namespace Admission.Tests.Shared;

/// <summary>The end of a test helper's background loop: told to stop and waited for, so nothing of it outlives the test.</summary>
internal static class BackgroundLoop
{
    /// <summary>
    /// Cancels <paramref name="stop"/> and waits for <paramref name="running"/> to end. For a
    /// dispose: how the loop ended is judged through the helper's own API (a stop that returns its
    /// results, a task the test awaits), so it is not thrown again here, where it would only hide
    /// the failure that made the test leave early.
    /// </summary>
    public static async Task StopAsync(CancellationTokenSource stop, Task running)
    {
        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (Exception)
        {
            // judged elsewhere, see above
        }
    }
}
