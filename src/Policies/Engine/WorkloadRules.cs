using Admission.Policies.Model;

namespace Admission.Policies;

/// <summary>Contract section 2: when a change to a workload in a Tier-1 namespace is allowed.</summary>
public static class WorkloadRules
{
    public static Decision Decide(AdmissionInput request, WorkloadKind kind, DecisionContext context, ChangeDigests? digests = null)
    {
        digests ??= new ChangeDigests(request, context.Policy);
        var policy = context.Policy;
        var ns = request.Namespace;
        var what = $"{kind.Kind} {ns}/{request.Name}";
        if (request.Operation == Operation.Connect)
        {
            return Decision.Allow(DecisionCode.NotGuarded, "CONNECT is not a change");
        }
        if (!policy.IsTier1(ns, context.Namespaces.Labels(ns)))
        {
            return Decision.Allow(DecisionCode.NotGuarded, $"namespace {ns} is not Tier-1");
        }

        // 1. Exempt users and groups.
        if (policy.ExemptUsers.Contains(request.User.Username) || request.User.InAnyGroup(policy.ExemptGroups))
        {
            return Decision.Allow(DecisionCode.Exempt, $"{request.User.Username} is exempt from approval");
        }

        // 2. Changes that need no approval: metadata/status only, or (when allowed) only the replica count.
        if (request.Operation == Operation.Update && request.OldObject is { } old && request.Object is { } @new &&
            ObjectInspection.OnlyMetadataOrStatusChanged(old, @new, policy.AllowReplicaChanges))
        {
            return Decision.Allow(DecisionCode.NoApprovalNeeded, policy.AllowReplicaChanges
                ? "only metadata, status or the replica count changed"
                : "only metadata or status changed");
        }

        // 3. Break glass: a stated reason and membership of a break-glass group, both required.
        var breakGlass = ObjectInspection.Annotation(request.Subject, AdmissionPolicy.BreakGlassAnnotation)?.Trim();
        var canBreakGlass = request.User.InAnyGroup(policy.BreakGlassGroups);
        if (!string.IsNullOrEmpty(breakGlass) && canBreakGlass)
        {
            var warning = $"BREAK-GLASS: {request.Operation.ToWire()} of {what} by {request.User.Username} without approval " +
                          $"(reason: \"{breakGlass}\"); this is audited and must be reviewed";
            return Decision.Allow(DecisionCode.BreakGlass, warning, [warning]);
        }

        // 4. A valid ChangeApproval that covers exactly this change.
        var candidates = context.Approvals.Targeting(ns, kind.Group, kind.Kind, request.Name);
        var images = request.Subject is { } subject ? ObjectInspection.Images(subject) : [];
        var assessed = new List<Assessment>(candidates.Count);
        foreach (var approval in candidates)
        {
            assessed.Add(Assess(approval, request.Operation, images, context.Now, policy, digests));
        }
        Assessment? best = null;
        foreach (var a in assessed)
        {
            if (a.Problems.Count == 0 && (best is null || string.CompareOrdinal(a.Approval.Name, best.Approval.Name) < 0))
            {
                best = a;
            }
        }
        if (best is not null)
        {
            var approvers = string.Join(", ", best.Approval.CountedApprovers().Order(StringComparer.Ordinal));
            return Decision.ApprovedBy(best.Approval.Key, $"approved by {approvers} in ChangeApproval {best.Approval.Key}");
        }

        assessed.Sort(Assessment.ClosestFirst);
        var hints = new List<string>();
        if (!string.IsNullOrEmpty(breakGlass))
        {
            hints.Add($"The break-glass annotation was ignored: {request.User.Username} is in none of the break-glass groups ({Join(policy.BreakGlassGroups)}).");
        }
        var message = DenialMessage.Build(request, kind, policy, assessed, hints);
        var warnings = request.DryRun ? DenialMessage.Warnings(kind, request, policy, assessed) : [];
        IReadOnlyList<DenialCause> causes = assessed.Count == 0
            ? [new DenialCause("", DenialCauses.NoApproval, $"no ChangeApproval in {ns} targets {kind.Kind} {request.Name}")]
            : [.. assessed.SelectMany(a => a.Causes)];
        return Decision.Deny(message, warnings) with { Causes = causes };
    }

    private static Assessment Assess(ChangeApproval approval, Operation operation, List<string> images, DateTimeOffset now, AdmissionPolicy policy, ChangeDigests digests)
    {
        var required = policy.RequiredApprovals;
        var problems = new List<string>();
        var causes = new List<DenialCause>();
        void Problem(string code, string text)
        {
            problems.Add(text);
            causes.Add(new DenialCause(approval.Name, code, text));
        }
        // Sorted: the message must not depend on the order in which entries were stored.
        var counted = approval.CountedApprovers().Order(StringComparer.Ordinal).ToList();
        var missing = Math.Max(0, required - counted.Count);
        if (missing > 0)
        {
            var by = counted.Count == 0 ? "" : $" ({string.Join(", ", counted)})";
            var self = approval.Approvals.Any(e => e.Approver == approval.RequestedBy)
                ? $"; {approval.RequestedBy}'s own approval does not count"
                : "";
            Problem(DenialCauses.MissingApprovals, $"{counted.Count} of {required} approvals{by}, needs {missing} more from someone other than {approval.RequestedBy}{self}");
        }
        foreach (var entry in approval.Approvals)
        {
            if (entry.Decision == EntryDecision.Reject)
            {
                var comment = string.IsNullOrWhiteSpace(entry.Comment) ? " (no comment)" : $": \"{entry.Comment}\"";
                Problem(DenialCauses.Rejected, $"rejected by {entry.Approver}{comment}, and it admits nothing until {entry.Approver} withdraws the rejection (kubectl change withdraw {approval.Name})");
            }
        }
        if (now >= approval.ExpiresAt)
        {
            Problem(DenialCauses.Expired, $"expired at {Format(approval.ExpiresAt)}");
        }
        else if (approval.NotBefore is { } nb && now < nb)
        {
            Problem(DenialCauses.NotYetValid, $"not valid before {Format(nb)}");
        }
        if (!approval.Operations.Contains(operation))
        {
            Problem(DenialCauses.OperationNotCovered, $"does not cover {operation.ToWire()} (covers {string.Join(", ", approval.Operations.Select(o => o.ToWire()))})");
        }
        if (approval.Images.Count > 0)
        {
            foreach (var image in images)
            {
                if (!approval.Images.Contains(image))
                {
                    Problem(DenialCauses.ImageNotApproved, $"image {image} is not approved (approved: {string.Join(", ", approval.Images)})");
                    break;
                }
            }
        }
        ExactChangeRules.Check(approval, operation, digests, policy, Problem);
        return new Assessment(approval, problems, missing) { Causes = causes };
    }

    internal static string Format(DateTimeOffset t) => ChangeApprovalReader.FormatTime(t);

    internal static string Join(IEnumerable<string> items) => string.Join(", ", items.Order(StringComparer.Ordinal));
}

/// <summary>One ChangeApproval that targets the object, and what it lacks.</summary>
public sealed record Assessment(ChangeApproval Approval, IReadOnlyList<string> Problems, int MissingApprovals)
{
    /// <summary>The problems again, each with its code, for the response's structured causes.</summary>
    public IReadOnlyList<DenialCause> Causes { get; init; } = [];

    /// <summary>Fewest problems first, then fewest approvals missing, then by name, so the order never depends on input order.</summary>
    public static int ClosestFirst(Assessment a, Assessment b)
    {
        var c = a.Problems.Count.CompareTo(b.Problems.Count);
        if (c != 0) return c;
        c = a.MissingApprovals.CompareTo(b.MissingApprovals);
        if (c != 0) return c;
        c = b.Approval.ExpiresAt.CompareTo(a.Approval.ExpiresAt);
        return c != 0 ? c : string.CompareOrdinal(a.Approval.Name, b.Approval.Name);
    }
}
