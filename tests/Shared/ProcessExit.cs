using System.Diagnostics;

namespace Admission.Tests.Shared;

/// <summary>How the tests wait for a child process they started: bounded, and never leaving it running.</summary>
internal static class ProcessExit
{
    /// <summary>
    /// Waits for <paramref name="process"/> to exit; when <paramref name="timeout"/> passes first,
    /// kills it with its children and throws a <see cref="TimeoutException"/> with the message
    /// <paramref name="describe"/> makes.
    /// </summary>
    public static async Task WaitOrKillAsync(Process process, TimeSpan timeout, Func<Task<string>> describe)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(await describe());
        }
    }

    /// <summary>
    /// Runs <paramref name="start"/> with its output and error captured and waits for it as
    /// <see cref="WaitOrKillAsync"/> does: its exit code and what it wrote to each.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await WaitOrKillAsync(process, timeout, () => Task.FromResult($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not exit within {timeout}"));
        return (process.ExitCode, await stdout, await stderr);
    }
}
