namespace Admission.Chart.Tests.Infrastructure;

/// <summary>Runs a command-line tool (promtool) to completion and keeps what it printed.</summary>
internal static class Tool
{
    public static HelmResult Run(string program, string workingDirectory, params string[] args)
    {
        var psi = StartInfo(program, workingDirectory, args);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {program}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"{program} is not installed ({e.Message}); on Debian or Ubuntu: apt-get install prometheus (it provides promtool)", e);
        }
        using (process)
        {
            return Finish(process, program, args);
        }
    }

    /// <summary>A start for <paramref name="program"/> with <paramref name="args"/>, its output and errors captured.</summary>
    public static ProcessStartInfo StartInfo(string program, string workingDirectory, IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        return psi;
    }

    /// <summary>
    /// Waits up to two minutes for a started process and keeps what it printed; one that takes
    /// longer is killed with its children, and the run fails naming <paramref name="name"/> and the arguments.
    /// </summary>
    public static HelmResult Finish(Process process, string name, IReadOnlyList<string> args)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{name} {string.Join(' ', args)} did not finish within 2 minutes");
        }
        process.WaitForExit();
        return new HelmResult(process.ExitCode, stdout.Result, stderr.Result, name + " " + string.Join(' ', args));
    }
}
