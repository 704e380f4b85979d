namespace Admission.Chart.Tests.Infrastructure;

/// <summary>Runs a command-line tool (promtool) to completion and keeps what it printed.</summary>
internal static class Tool
{
    public static HelmResult Run(string program, string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
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
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish within 2 minutes");
            }
            process.WaitForExit();
            return new HelmResult(process.ExitCode, stdout.Result, stderr.Result, program + " " + string.Join(' ', args));
        }
    }
}
