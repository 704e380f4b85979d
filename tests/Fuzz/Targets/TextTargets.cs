using System.Text;
using Admission.Operator.Webhook;
using Admission.Policies.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace Admission.Fuzz.Targets;

/// <summary>Rules every parser of user-written text keeps: no exception, and every error names its file and says something.</summary>
internal static class ErrorRules
{
    public static void Check(IEnumerable<InputError> errors, string source)
    {
        foreach (var e in errors)
        {
            if (e.Source != source) throw new InvariantViolationException($"an error names \"{e.Source}\", not the file \"{source}\": {e}");
            if (string.IsNullOrWhiteSpace(e.Message)) throw new InvariantViolationException($"an error without a message: {e}");
            if (e.Message.Contains("   at ", StringComparison.Ordinal)) throw new InvariantViolationException($"an error carries a stack trace: {e}");
            if (e.Line is < 1) throw new InvariantViolationException($"an error on line {e.Line}: {e}");
        }
    }
}

/// <summary>The policy file: parse errors are located, a clean parse gives a policy that Parse agrees with.</summary>
public sealed class PolicyTarget : ITarget
{
    public void Run(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        var errors = new List<InputError>();
        var policy = PolicyParser.TryParse(text, "policy.yaml", errors);
        ErrorRules.Check(errors, "policy.yaml");
        if (errors.Count == 0 && policy.RequiredApprovals < 2)
        {
            throw new InvariantViolationException($"a policy with requiredApprovals {policy.RequiredApprovals} parsed without an error");
        }
    }
}

/// <summary>Manifests (YAML or JSON, multi-document, Lists): objects carry their line, errors their file.</summary>
public sealed class ManifestTarget : ITarget
{
    public void Run(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        var errors = new List<InputError>();
        var manifests = ManifestParser.Read(text, "input.yaml", "default", errors);
        ErrorRules.Check(errors, "input.yaml");
        foreach (var m in manifests)
        {
            if (m.Line < 1) throw new InvariantViolationException($"{m.Kind} {m.Name} read on line {m.Line}");
            if (m.Source != "input.yaml") throw new InvariantViolationException($"{m.Kind} {m.Name} names the source \"{m.Source}\"");
        }
    }
}

/// <summary>
/// ChangeApprovals read from text and then decided with: a hostile approval in the index must
/// neither crash a decision nor make a review of a workload it does not target allowed.
/// </summary>
public sealed class ApprovalTarget : ITarget
{
    private static readonly HashSet<string> Kinds = [ChangeApproval.KindName];
    private readonly Admission.Policies.AdmissionPolicy _policy = Examples.Policy();
    private readonly DecisionSnapshot _base = Examples.Snapshot();
    private readonly System.Text.Json.JsonDocument _create = Examples.Review("deployment-create.json");
    private readonly Mutable _state = new();
    private readonly ReviewHandler _handler;

    public ApprovalTarget() =>
        _handler = new ReviewHandler(_policy, _state, new Clock(), NullLogger<ReviewHandler>.Instance);

    public void Run(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        var errors = new List<InputError>();
        var approvals = new List<ChangeApproval>();
        foreach (var m in ManifestParser.Read(text, "approvals.yaml", "payments", errors, Kinds))
        {
            var fieldErrors = new List<InputError>();
            var approval = ChangeApprovalReader.Read(m.Object, fieldErrors, m.Source, m.Namespace);
            ErrorRules.Check(fieldErrors, "approvals.yaml");
            if (approval is not null && fieldErrors.Count == 0) approvals.Add(approval);
        }
        ErrorRules.Check(errors, "approvals.yaml");

        // The example create of payments/checkout is approved by checkout-2-4-1 alone; with only
        // the fuzzed approvals in the index, an allow must name one of them.
        _state.Snapshot = new DecisionSnapshot(new ApprovalIndex(approvals), _base.Namespaces);
        var review = ReviewReader.Read(_create.RootElement);
        var answer = _handler.HandleAsync(review.Request!, CancellationToken.None).AsTask().GetAwaiter().GetResult().Response!;
        if (answer.Allowed && answer.AuditAnnotations?.GetValueOrDefault("approval") is { } used &&
            !approvals.Any(a => a.Key == used))
        {
            throw new InvariantViolationException($"allowed by \"{used}\", which is not among the approvals read");
        }
        if (!answer.Allowed && string.IsNullOrWhiteSpace(answer.Status?.Message))
        {
            throw new InvariantViolationException("a denial without a message");
        }
    }

    private sealed class Mutable : IApprovalState
    {
        public DecisionSnapshot Snapshot { get; set; } = DecisionSnapshot.Empty;
        public Readiness Readiness => new(true, "fuzz");
        public bool CanVerify => true;
        public ValueTask<DecisionSnapshot?> FreshenAsync(string ns, CancellationToken cancellationToken) => ValueTask.FromResult<DecisionSnapshot?>(null);
    }

    private sealed class Clock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => Examples.Now;
    }
}
