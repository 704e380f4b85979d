namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>The built `admission uninstall`, run as the hook's Job runs it: a process, its exit code and output.</summary>
internal static class UninstallCli
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet");
        start.ArgumentList.Add(AdmissionProcess.Dll);
        start.ArgumentList.Add("uninstall");
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // Not in a cluster, whatever the machine running the tests says.
        start.Environment.Remove("POD_NAMESPACE");
        start.Environment.Remove("KUBERNETES_SERVICE_HOST");
        return await ProcessExit.RunAsync(start, TimeSpan.FromMinutes(2));
    }
}
