using System.Net.Sockets;
using Admission.Operator.Hosting;
using Admission.Operator.PolicyReload;
using Admission.Policies;

namespace Admission.Operator.Cli;

/// <summary>
/// What serve checks on the machine before its host starts, once the options are bound: every
/// file and folder it was given, the policy, the port. A failure inside the host would be a stack
/// trace; here each is an <see cref="InputError"/> naming the flag.
/// </summary>
internal static class ServeStartup
{
    /// <summary>The policy in force at start, or every problem found.</summary>
    public static (PolicySource? Policy, IReadOnlyList<InputError> Errors) Check(ServeOptions options)
    {
        var errors = new List<InputError>();
        if (options.TlsCert is { } certFile && options.TlsKey is { } keyFile)
        {
            StartupFiles.CheckPemPair(certFile, keyFile, errors);
        }
        else
        {
            StartupFiles.CheckTlsDir(options.TlsDir, errors);
        }
        if (options.Kubeconfig is { } kubeconfig) _ = StartupFiles.ReadFile("--kubeconfig", kubeconfig, errors);
        if (options.Notifications is { } notifications) _ = StartupFiles.ReadFile("--notifications", notifications, errors);
        StartupFiles.CheckApprovalPaths(options.Approvals, errors);
        PolicySource? policy = null;
        try
        {
            var (loaded, sha256) = PolicyLoader.LoadWithHash(options.PolicyFile);
            policy = new PolicySource(loaded, options.PolicyFile is { Length: > 0 } file ? file : null, sha256);
        }
        catch (InputException e)
        {
            errors.AddRange(e.Errors);
        }
        if (errors.Count == 0) CheckPortFree(options.Listen, errors);
        return (errors.Count == 0 ? policy : null, errors);
    }

    /// <summary>
    /// Says plainly when the port is taken, before the host would log a stack trace for it. The
    /// server binds right after, so a race here only means Kestrel reports it instead.
    /// </summary>
    private static void CheckPortFree(Uri listen, List<InputError> errors)
    {
        try
        {
            using var probe = new TcpListener(ListenAddress.Endpoint(listen));
            probe.Start();
            probe.Stop();
        }
        catch (SocketException e)
        {
            errors.Add(new InputError("--listen", null, "", $"cannot listen on {listen}: {e.Message}"));
        }
    }
}
