using System.Text.Json;
using Admission.Operator.Manifests;
using Admission.Policies.Manifests;
using Admission.Policies;
using Admission.Policies.Model;

namespace Admission.Operator.Cli;

public sealed record CheckOptions(
    IReadOnlyList<string> Files,
    IReadOnlyList<string> Approvals,
    string? PolicyFile,
    string User,
    IReadOnlyList<string> Groups,
    /// <summary>Null: CREATE, or UPDATE where <see cref="Live"/> has the object.</summary>
    Operation? Operation,
    DateTimeOffset Now,
    string Namespace,
    bool Json)
{
    /// <summary><c>--tier1 NAME</c>: namespaces that are Tier-1 without a Namespace object in the inputs.</summary>
    public IReadOnlyList<string> Tier1 { get; init; } = [];
    /// <summary>Files or folders of live objects, for UPDATE and DELETE (contract section 6, <c>--live</c>).</summary>
    public IReadOnlyList<string> Live { get; init; } = [];
}

/// <summary>
/// <c>admission check</c>: the webhook's decisions, offline. Exit 0 when all are allowed, 1 when
/// any is denied, 2 on a usage or input error (and then nothing is decided).
/// </summary>
public static class CheckRunner
{
    public const int Allowed = 0, Denied = 1, InputError = InputErrors.ExitCode;

    /// <summary>What <c>--approvals</c> reads; anything else there is skipped, as <c>serve --approvals</c> does.</summary>
    private static readonly HashSet<string> ApprovalKinds = [ChangeApproval.KindName, "Namespace"];

    public static int Run(CheckOptions options, TextWriter stdout, TextWriter stderr, TextReader? stdin = null)
    {
        var errors = new List<InputError>();
        AdmissionPolicy policy;
        try
        {
            policy = PolicyLoader.Load(options.PolicyFile);
        }
        catch (InputException e)
        {
            errors.AddRange(e.Errors);
            policy = AdmissionPolicy.Default;
        }
        if (options.Tier1.Count > 0)
        {
            policy = policy with { Tier1Namespaces = new HashSet<string>(policy.Tier1Namespaces.Concat(options.Tier1), StringComparer.Ordinal) };
        }
        var manifests = new List<Manifest>();
        foreach (var path in options.Files)
        {
            var before = errors.Count;
            var read = ManifestReader.ReadFiles([path], options.Namespace, errors, stdin);
            if (read.Count == 0 && errors.Count == before && (path == "-" || File.Exists(path) || Directory.Exists(path)))
            {
                // A pipeline whose manifests went missing must not pass by deciding nothing.
                errors.Add(new Policies.InputError(path == "-" ? "<stdin>" : path, null, "",
                    Directory.Exists(path) ? "holds no object (no YAML or JSON manifest in the folder)" : "holds no object"));
            }
            manifests.AddRange(read);
        }
        var approvalManifests = ManifestReader.ReadFiles(options.Approvals, options.Namespace, errors, stdin, ApprovalKinds);
        var approvals = ReadApprovals(approvalManifests, errors);
        var live = new Dictionary<(string, string, string, string), Manifest>();
        foreach (var m in ManifestReader.ReadFiles(options.Live, options.Namespace, errors, stdin))
        {
            // The last one wins, as a later document of kubectl apply would.
            live[(m.Group, m.Kind, m.Namespace, m.Name)] = m;
        }
        if (options.Files.Count == 0)
        {
            errors.Add(new Policies.InputError("-f", null, "", "no manifests given; pass -f FILE, a folder, or - for standard input"));
        }
        if (errors.Count > 0)
        {
            return InputErrors.Report(stderr, errors);
        }

        var namespaces = new NamespaceIndex(manifests.Concat(approvalManifests)
            .Where(IsNamespace)
            .GroupBy(m => m.Name)
            .Select(g => KeyValuePair.Create(g.Key, ObjectInspection.Labels(g.Last().Object))));
        var context = new DecisionContext(policy, new ApprovalIndex(approvals), namespaces, options.Now);
        var user = new UserInfo(options.User, options.Groups);

        var results = new List<CheckResult>();
        var onStderr = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in manifests)
        {
            if (IsNamespace(m)) continue;
            if (m.Kind == ChangeApproval.KindName && m.Group == ChangeApproval.Group)
            {
                stderr.WriteLine($"hint: {m.Where}: ChangeApproval {m.Namespace}/{m.Name} was given with -f, so it is decided as an object to create; " +
                                 "to decide workloads against it, pass it with --approvals");
            }
            var old = live.TryGetValue((m.Group, m.Kind, m.Namespace, m.Name), out var l) ? l.Object : (JsonElement?)null;
            var d = AdmissionEngine.Decide(Input(m, old, options.Operation, user), context);
            var warnings = new List<string>(d.Warnings);
            if (UnknownNamespace(m, policy, namespaces) is { } unknown)
            {
                warnings.Add(unknown);
                if (onStderr.Add(unknown)) stderr.WriteLine("warning: " + unknown);
            }
            // The row is the one place a digest (or any other per-object field) is added.
            results.Add(new CheckResult(m.Kind, m.Namespace, m.Name, d.Allowed, d.Code.ToWire(), d.Approval, d.Message, warnings) { Digest = d.Digest });
        }

        CheckOutput.Write(results, options.Json, stdout, onStderr);
        return results.All(r => r.Allowed) ? Allowed : Denied;
    }

    private static bool IsNamespace(Manifest m) => m.Kind == "Namespace" && m.ApiVersion == "v1";

    private static List<ChangeApproval> ReadApprovals(List<Manifest> manifests, List<InputError> errors)
    {
        var approvals = new List<ChangeApproval>();
        foreach (var m in manifests)
        {
            if (m.Kind != ChangeApproval.KindName) continue;
            if (m.ApiVersion != ChangeApproval.ApiVersion)
            {
                errors.Add(new Policies.InputError(m.Source, m.Line, "apiVersion", $"a ChangeApproval is {ChangeApproval.ApiVersion}, not {m.ApiVersion}"));
                continue;
            }
            var fieldErrors = new List<InputError>();
            var approval = ChangeApprovalReader.Read(m.Object, fieldErrors, m.Source, m.Namespace);
            errors.AddRange(fieldErrors.Select(e => e with { Line = m.LineOf(e.Field), Message = $"{e.Message} (ChangeApproval {m.Name})" }));
            if (approval is not null) approvals.Add(approval);
        }
        return approvals;
    }

    /// <summary>
    /// The request kube-apiserver would send for applying <paramref name="m"/>: an UPDATE of the
    /// live object when <c>--live</c> has one, a CREATE otherwise, or the DELETE asked for (of the
    /// live object when there is one).
    /// </summary>
    private static AdmissionInput Input(Manifest m, JsonElement? live, Operation? asked, UserInfo user)
    {
        var operation = asked ?? (live is null ? Operation.Create : Operation.Update);
        return new()
        {
            Operation = operation,
            Group = m.Group,
            Kind = m.Kind,
            Resource = new WorkloadKind(m.Group, m.Kind).Plural,
            Namespace = m.Namespace,
            Name = m.Name,
            User = user,
            Object = operation == Operation.Delete ? null : m.Object,
            OldObject = operation == Operation.Delete ? live ?? m.Object : operation == Operation.Update ? live : null,
        };
    }

    /// <summary>
    /// A guarded workload whose namespace check cannot place: the webhook would look the
    /// namespace up, check has only its inputs, so "not-guarded" here may be wrong.
    /// </summary>
    private static string? UnknownNamespace(Manifest m, AdmissionPolicy policy, NamespaceIndex namespaces)
    {
        if (m.Namespace.Length == 0 || policy.GuardedKind(m.Group, m.Kind) is null) return null;
        if (policy.Tier1Namespaces.Contains(m.Namespace) || namespaces.Labels(m.Namespace) is not null) return null;
        return $"namespace {m.Namespace} is not known: no Namespace object for it is among the inputs, so its workloads are reported not-guarded; " +
               $"give its Namespace with -f or --approvals, or mark it Tier-1 with --tier1 {m.Namespace}";
    }
}
