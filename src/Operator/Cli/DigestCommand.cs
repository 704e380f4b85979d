using System.CommandLine;
using Admission.Operator.Manifests;
using Admission.Policies;
using Admission.Policies.Digest;

namespace Admission.Operator.Cli;

/// <summary>
/// <c>admission digest -f PATH…</c>: the change digest of each object (contract section 6), as
/// the webhook computes it, under the replica and restart settings of <c>--policy</c>.
/// </summary>
internal static class DigestCommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "File or folder of YAML or JSON manifests (repeatable); - reads standard input",
        };
        var policy = new Option<string?>("--policy") { Description = "Policy file; its allowReplicaChanges and allowRestarts decide what the digest covers" };
        var ns = new Option<string>("--namespace", "-n") { Description = "Namespace for objects without one", DefaultValueFactory = _ => "default" };
        var command = new Command("digest", "Print the change digest of each object: kind namespace/name sha256:… " +
            "Give the object as kube-apiserver stores it (what a preview returns). Exit status: 0, or 2 on an input error.")
        {
            files, policy, ns,
        };
        command.SetAction(result => Run(result.GetValue(files) ?? [], result.GetValue(policy), result.GetValue(ns) ?? "default", Console.Out, Console.Error));
        return command;
    }

    public static int Run(IReadOnlyList<string> files, string? policyFile, string defaultNamespace, TextWriter stdout, TextWriter stderr, TextReader? stdin = null)
    {
        var errors = new List<InputError>();
        var policy = AdmissionPolicy.Default;
        try
        {
            policy = PolicyLoader.Load(policyFile);
        }
        catch (InputException e)
        {
            errors.AddRange(e.Errors);
        }
        if (files.Count == 0)
        {
            errors.Add(new InputError("-f", null, "", "no manifests given; pass -f FILE, a folder, or - for standard input"));
        }
        var manifests = ManifestReader.ReadFiles(files, defaultNamespace, errors, stdin);
        if (errors.Count == 0 && manifests.Count == 0)
        {
            errors.Add(new InputError(string.Join(", ", files), null, "", "holds no object"));
        }
        var lines = new List<string>(manifests.Count);
        foreach (var m in manifests)
        {
            if (ChangeDigest.TryOf(m.Object, policy, out var digest, out var problem))
            {
                lines.Add($"{m.Kind} {(m.Namespace.Length == 0 ? "" : m.Namespace + "/")}{m.Name} {digest}");
            }
            else
            {
                errors.Add(new InputError(m.Source, m.Line, "", $"{m.Kind} {m.Name} has no change digest: {problem}"));
            }
        }
        if (errors.Count > 0)
        {
            return InputErrors.Report(stderr, errors);
        }
        foreach (var line in lines) stdout.WriteLine(line);
        return CheckRunner.Allowed;
    }
}
