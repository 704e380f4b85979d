using System.Text.Json;
using Admission.Policies.Model;

namespace Admission.Fuzz.Targets;

/// <summary>
/// The world the fuzzed reviews are decided in: the example policy, the Tier-1 namespace
/// <c>payments</c> and the example approvals, at the time the examples are written for, so that
/// mutated fixtures reach approvals that match, nearly match and do not match.
/// </summary>
public static class Examples
{
    public static readonly DateTimeOffset Now = new(2026, 3, 6, 12, 0, 0, TimeSpan.Zero);

    private static string Dir => Path.Combine(AppContext.BaseDirectory, "examples");

    public static AdmissionPolicy Policy() => PolicyParser.Parse(File.ReadAllText(Path.Combine(Dir, "policy.yaml")), "policy.yaml");

    public static DecisionSnapshot Snapshot()
    {
        var errors = new List<InputError>();
        var approvals = new List<ChangeApproval>();
        var namespaces = new List<KeyValuePair<string, IReadOnlyDictionary<string, string>>>();
        foreach (var file in Directory.EnumerateFiles(Dir, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            foreach (var m in ManifestParser.Read(File.ReadAllText(file), file, "default", errors))
            {
                if (m.Kind == "Namespace") namespaces.Add(KeyValuePair.Create(m.Name, ObjectInspection.Labels(m.Object)));
                else if (m.Kind == ChangeApproval.KindName && ChangeApprovalReader.Read(m.Object, errors, file, m.Namespace) is { } a) approvals.Add(a);
            }
        }
        return new DecisionSnapshot(new ApprovalIndex(approvals), new NamespaceIndex(namespaces));
    }

    public static JsonDocument Review(string name) => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Dir, "reviews", name)));
}
