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
        if (!policy.IsTier1(ns, context.Namespaces.Labels(ns)))
        {
            return Decision.Allow(DecisionCode.NotGuarded, $"namespace {ns} is not Tier-1");
        }

        // 1. Exempt users and groups.
        if (policy.ExemptUsers.Contains(request.User.Username) || request.User.InAnyGroup(policy.ExemptGroups))
        {
            return Decision.Allow(DecisionCode.Exempt, $"{request.User.Username} is exempt from approval");
        }

        // 2. Trusted controllers: their writes follow from workload changes that were decided here.
        if (policy.TrustedControllers.Contains(request.User.Username))
        {
            return Decision.Allow(DecisionCode.Controller, $"{request.User.Username} is a trusted controller");
        }

        // 3. Changes that need no approval: the content and the owners stay, or a controller's object is deleted.
        // The content is compared by its digests, which the response and any approval need anyway;
        // an object with no canonical form (no digest) is compared by walking both.
        if (request.Operation == Operation.Update && request.OldObject is { } old && request.Object is { } @new &&
            (digests.ContentUnchanged ?? ObjectInspection.SameContent(old, @new, kind, policy)) && ObjectInspection.SameOwnerReferences(old, @new))
        {
            return Decision.Allow(DecisionCode.NoApprovalNeeded, "the content is unchanged (metadata, status" +
                (policy.AllowReplicaChanges ? ", the replica count" : "") + (policy.AllowRestarts ? ", a restart" : "") + " only)");
        }
        if (request.Operation == Operation.Delete && request.SubResource is null && ObjectInspection.ControllerOwned(request.OldObject))
        {
            return Decision.Allow(DecisionCode.NoApprovalNeeded, $"{What(kind, request)} is owned by a controller; deleting it stops code and ships none");
        }
        // The kubelet's final DELETE of a terminating Pod (grace period 0): the deletion itself was
        // decided when it began, and only kube-apiserver sets deletionTimestamp, so this finishes it.
        if (request.Operation == Operation.Delete && request.SubResource is null && ObjectInspection.BeingDeleted(request.OldObject))
        {
            return Decision.Allow(DecisionCode.NoApprovalNeeded, $"{What(kind, request)} is already being deleted; this completes a deletion that was decided when it began");
        }

        // 4. Break glass: a reason this request states, and membership of a break-glass group, both required.
        var breakGlass = BreakGlassReason(request);
        var canBreakGlass = request.User.InAnyGroup(policy.BreakGlassGroups);
        if (breakGlass is not null && canBreakGlass)
        {
            var warning = $"BREAK-GLASS: {request.Operation.ToWire()} of {What(kind, request)} by {request.User.Username} without approval " +
                          $"(reason: \"{breakGlass}\"); this is audited and must be reviewed";
            return Decision.Allow(DecisionCode.BreakGlass, warning, [warning]);
        }

        // 5. A valid ChangeApproval that covers exactly this change.
        var candidates = context.Approvals.Targeting(ns, kind.Group, kind.Kind, request.Name);
        var images = request.Subject is { } subject ? ObjectInspection.Images(subject, kind) : [];
        var assessed = new List<Assessment>(candidates.Count);
        var stale = StaleBreakGlassHint(request, breakGlass, canBreakGlass);
        Assessment? best = null;
        IReadOnlyList<string> bestApprovers = [];
        foreach (var approval in candidates)
        {
            // Whatever source the approvals come from: a break-glass review admits nothing, nor
            // does an approval someone has deleted, though a finalizer still holds it.
            if (approval.Retrospective || approval.Deleting) continue;
            var a = Assess(approval, request.Operation, images, context.Now, policy, digests, out var counted);
            assessed.Add(a);
            // The first by name of those that admit; its approvers as the assessment counted them.
            if (a.Problems.Count == 0 && (best is null || string.CompareOrdinal(a.Approval.Name, best.Approval.Name) < 0))
            {
                best = a;
                bestApprovers = counted;
            }
        }
        if (best is not null)
        {
            var approvers = string.Join(", ", Sorted(bestApprovers));
            var key = best.Approval.Key;
            return Decision.ApprovedBy(key, $"approved by {approvers} in ChangeApproval {key}");
        }

        assessed.Sort(Assessment.ClosestFirst);
        var hints = new List<string>();
        if (stale is not null) hints.Add(stale);
        if (breakGlass is not null)
        {
            hints.Add($"The break-glass annotation was ignored: {request.User.Username} is in none of the break-glass groups ({Join(policy.BreakGlassGroups)}).");
        }
        var message = DenialMessage.Build(request, kind, policy, assessed, hints);
        var warnings = request.DryRun ? DenialMessage.Warnings(kind, request, policy, assessed) : [];
        return Decision.Deny(message, warnings) with { Causes = Causes(assessed, ns, kind, request.Name) };
    }

    /// <summary>Every assessment's causes, closest approval first; one cause when none targets the object.</summary>
    private static IReadOnlyList<DenialCause> Causes(List<Assessment> assessed, string ns, WorkloadKind kind, string name)
    {
        if (assessed.Count == 0) return [new DenialCause("", DenialCauses.NoApproval, $"no ChangeApproval in {ns} targets {kind.Kind} {name}")];
        var count = 0;
        foreach (var a in assessed) count += a.Causes.Count;
        var causes = new List<DenialCause>(count);
        foreach (var a in assessed) causes.AddRange(a.Causes);
        return causes;
    }

    private static Assessment Assess(ChangeApproval approval, Operation operation, List<string> images, DateTimeOffset now, AdmissionPolicy policy, ChangeDigests digests, out IReadOnlyList<string> counted)
    {
        var required = policy.RequiredApprovals;
        // Every guarded admission assesses its candidates, and an approval that admits has no
        // problems: nothing is allocated for problems until there is one.
        var found = new AssessmentProblems(approval.Name);
        counted = approval.CountedApprovers();
        var missing = Math.Max(0, required - counted.Count);
        if (missing > 0)
        {
            // Sorted: the message must not depend on the order in which entries were stored.
            var by = counted.Count == 0 ? "" : $" ({string.Join(", ", Sorted(counted))})";
            var self = SelfApproved(approval)
                ? $"; {approval.RequestedBy}'s own approval does not count"
                : "";
            found.Add(DenialCauses.MissingApprovals, $"{counted.Count} of {required} approvals{by}, needs {missing} more from someone other than {approval.RequestedBy}{self}");
        }
        foreach (var entry in approval.Approvals)
        {
            if (entry.Decision == EntryDecision.Reject)
            {
                var comment = string.IsNullOrWhiteSpace(entry.Comment) ? " (no comment)" : $": \"{entry.Comment}\"";
                found.Add(DenialCauses.Rejected, $"rejected by {entry.Approver}{comment}, and it admits nothing until {entry.Approver} withdraws the rejection (kubectl change withdraw {approval.Name})");
            }
        }
        if (now >= approval.ExpiresAt)
        {
            found.Add(DenialCauses.Expired, $"expired at {Format(approval.ExpiresAt)}");
        }
        else if (approval.NotBefore is { } nb && now < nb)
        {
            found.Add(DenialCauses.NotYetValid, $"not valid before {Format(nb)}");
        }
        if (!Covers(approval.Operations, operation))
        {
            found.Add(DenialCauses.OperationNotCovered, $"does not cover {operation.ToWire()} (covers {Wire(approval.Operations)})");
        }
        if (approval.Images.Count > 0)
        {
            // Every unapproved image, in the pod spec's order: fixing one and meeting the next denial wastes a round trip.
            List<string>? unapproved = null;
            foreach (var image in images)
            {
                if (!approval.Images.Contains(image) && !(unapproved?.Contains(image) ?? false))
                {
                    (unapproved ??= []).Add(image);
                }
            }
            if (unapproved is not null)
            {
                var which = unapproved.Count == 1 ? $"image {unapproved[0]} is" : $"images {string.Join(", ", unapproved)} are";
                found.Add(DenialCauses.ImageNotApproved, $"{which} not approved (approved: {string.Join(", ", approval.Images)})");
            }
        }
        ExactChangeRules.Check(approval, operation, digests, policy, found);
        return new Assessment(approval, found.Texts, missing) { Causes = found.Causes };
    }

    private static bool SelfApproved(ChangeApproval approval)
    {
        foreach (var entry in approval.Approvals)
        {
            if (PersonNames.Same(entry.Approver, approval.RequestedBy)) return true;
        }
        return false;
    }

    /// <summary>The operations as the API writes them, comma-separated.</summary>
    private static string Wire(IReadOnlyList<Operation> operations)
    {
        var names = new string[operations.Count];
        for (var i = 0; i < names.Length; i++) names[i] = operations[i].ToWire();
        return string.Join(", ", names);
    }

    private static bool Covers(IReadOnlyList<Operation> operations, Operation operation)
    {
        for (var i = 0; i < operations.Count; i++)
        {
            if (operations[i] == operation) return true;
        }
        return false;
    }

    /// <summary>Ordinal order, without LINQ: the approvers of one approval are a handful.</summary>
    private static string[] Sorted(IReadOnlyList<string> items)
    {
        var copy = new string[items.Count];
        for (var i = 0; i < copy.Length; i++) copy[i] = items[i];
        Array.Sort(copy, StringComparer.Ordinal);
        return copy;
    }

    private static string What(WorkloadKind kind, AdmissionInput request) => $"{kind.Kind} {request.Namespace}/{request.Name}";

    /// <summary>
    /// The break-glass reason this request states (contract step 4): set by this request to text with
    /// visible characters that differs from the old object's, so that last week's reason carries no
    /// one through today's change. A DELETE sets nothing: the reason on the object being deleted counts.
    /// </summary>
    public static string? BreakGlassReason(AdmissionInput request)
    {
        if (request.Operation == Operation.Delete)
        {
            var deleted = ObjectInspection.Annotation(request.OldObject, AdmissionPolicy.BreakGlassAnnotation)?.Trim();
            return Text.HasVisible(deleted) ? deleted : null;
        }
        var reason = ObjectInspection.Annotation(request.Object, AdmissionPolicy.BreakGlassAnnotation)?.Trim();
        if (!Text.HasVisible(reason)) return null;
        var before = ObjectInspection.Annotation(request.OldObject, AdmissionPolicy.BreakGlassAnnotation)?.Trim();
        return string.Equals(reason, before, StringComparison.Ordinal) ? null : reason;
    }

    /// <summary>Says why a break-glass annotation that is present did not count, for the denial.</summary>
    private static string? StaleBreakGlassHint(AdmissionInput request, string? counted, bool canBreakGlass)
    {
        if (counted is not null || !canBreakGlass || request.Operation == Operation.Delete) return null;
        var reason = ObjectInspection.Annotation(request.Object, AdmissionPolicy.BreakGlassAnnotation);
        if (reason is null) return null;
        return Text.HasVisible(reason)
            ? $"The break-glass annotation was ignored: its reason was set by an earlier change; break glass counts only when this request sets a new reason in {AdmissionPolicy.BreakGlassAnnotation}."
            : $"The break-glass annotation was ignored: its reason has no visible characters.";
    }

    internal static string Format(DateTimeOffset t) => ChangeApprovalReader.FormatTime(t);

    /// <summary>A set of names in ordinal order, comma-separated: the same text whatever order the policy listed them in.</summary>
    internal static string Join(IReadOnlyCollection<string> items)
    {
        string[] copy = [.. items];
        Array.Sort(copy, StringComparer.Ordinal);
        return string.Join(", ", copy);
    }
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
