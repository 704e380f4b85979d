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
    /// <summary>Files or folders of live objects, for UPDATE and DELETE (contract section 6, <c>--live</c>).</summary>
    public IReadOnlyList<string> Live { get; init; } = [];
}

/// <summary>
/// <c>admission check</c>: the webhook's decisions, offline. Exit 0 when all are allowed, 1 when
/// any is denied, 2 on a usage or input error (and then nothing is decided).
/// </summary>
public static class CheckRunner
{
    public const int Allowed = 0, Denied = 1, InputError = 2;

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
        var manifests = ManifestReader.ReadFiles(options.Files, options.Namespace, errors, stdin);
        var approvalManifests = ManifestReader.ReadFiles(options.Approvals, options.Namespace, errors, stdin);
        var liveManifests = ManifestReader.ReadFiles(options.Live, options.Namespace, errors, stdin);
        var live = new Dictionary<(string, string, string, string), Policies.Manifests.Manifest>();
        foreach (var m in liveManifests)
        {
            // The last one wins, as a later document of kubectl apply would.
            live[(m.Group, m.Kind, m.Namespace, m.Name)] = m;
        }
        var approvals = new List<ChangeApproval>();
        foreach (var m in approvalManifests)
        {
            if (m.Kind == "Namespace") continue;
            if (m.Kind != ChangeApproval.KindName || m.ApiVersion != ChangeApproval.ApiVersion)
            {
                errors.Add(new InputError(m.Source, m.Line, "kind", $"--approvals holds ChangeApprovals ({ChangeApproval.ApiVersion}), not {m.ApiVersion} {m.Kind}"));
                continue;
            }
            var fieldErrors = new List<InputError>();
            var approval = ChangeApprovalReader.Read(m.Object, fieldErrors, m.Source, m.Namespace);
            errors.AddRange(fieldErrors.Select(e => e with { Line = m.Line, Message = $"{e.Message} (ChangeApproval {m.Name})" }));
            if (approval is not null) approvals.Add(approval);
        }
        if (options.Files.Count == 0)
        {
            errors.Add(new Policies.InputError("-f", null, "", "no manifests given; pass -f FILE, a folder, or - for standard input"));
        }
        if (errors.Count > 0)
        {
            foreach (var e in errors) stderr.WriteLine("error: " + e);
            return InputError;
        }

        var namespaces = new NamespaceIndex(manifests.Concat(approvalManifests)
            .Where(m => m.Kind == "Namespace" && m.ApiVersion == "v1")
            .GroupBy(m => m.Name)
            .Select(g => KeyValuePair.Create(g.Key, ObjectInspection.Labels(g.Last().Object))));
        var context = new DecisionContext(policy, new ApprovalIndex(approvals), namespaces, options.Now);
        var user = new UserInfo(options.User, options.Groups);

        var results = new List<CheckResult>();
        foreach (var m in manifests)
        {
            if (m.Kind == "Namespace" && m.ApiVersion == "v1") continue;
            var old = live.TryGetValue((m.Group, m.Kind, m.Namespace, m.Name), out var l) ? l.Object : (JsonElement?)null;
            var operation = options.Operation ?? (old is null ? Operation.Create : Operation.Update);
            var input = new AdmissionInput
            {
                Operation = operation,
                Group = m.Group,
                Kind = m.Kind,
                Resource = new WorkloadKind(m.Group, m.Kind).Plural,
                Namespace = m.Namespace,
                Name = m.Name,
                User = user,
                // A DELETE removes the live object when there is one; an UPDATE changes it.
                Object = operation == Operation.Delete ? null : m.Object,
                OldObject = operation == Operation.Delete ? old ?? m.Object : operation == Operation.Update ? old : null,
            };
            var d = AdmissionEngine.Decide(input, context);
            results.Add(new CheckResult(m.Kind, m.Namespace, m.Name, d.Allowed, d.Code.ToWire(), d.Approval, d.Message) { Digest = d.Digest });
        }

        if (options.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(results, AdmissionJson.Relaxed.ListCheckResult));
        }
        else
        {
            foreach (var r in results)
            {
                var what = r.Allowed
                    ? r.Approval is null ? r.Decision : $"{r.Decision} {r.Approval}"
                    : OneLine(r.Message);
                stdout.WriteLine($"{(r.Allowed ? "ALLOWED" : "DENIED")} {r.Kind} {(r.Namespace.Length == 0 ? "" : r.Namespace + "/")}{r.Name} {what}");
            }
        }
        return results.All(r => r.Allowed) ? Allowed : Denied;
    }

    /// <summary>Text output is one line per object; multi-line denials are folded.</summary>
    private static string OneLine(string message) => message.Replace("\n- ", " | ", StringComparison.Ordinal).Replace('\n', ' ');
}
