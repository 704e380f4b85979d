using System.Text.RegularExpressions;
using Admission.Plugin.Kube;
using Admission.Policies.Model;

namespace Admission.Plugin.Text;

/// <summary>What the caller was doing when the webhook refused, to say it back in plain words.</summary>
public sealed record RefusalContext(string Action, string Name, string Namespace, Identity Me, ChangeApproval? Approval, DateTimeOffset Now, string? UserOverride);

/// <summary>
/// Turns the admission webhook's refusals (contract section 3) into one paragraph a person can act
/// on. The webhook's own words are matched, never re-derived: a refusal this code does not know is
/// passed through as the webhook wrote it.
/// </summary>
public static partial class Refusals
{
    private const string Marker = "denied the request: ";

    /// <summary>The webhook's message when the API server reports an admission webhook denial, else null.</summary>
    public static string? WebhookMessage(ClusterApiException e)
    {
        if (e.StatusCode is not (400 or 403 or 422) || !e.Message.Contains("admission webhook", StringComparison.Ordinal)) return null;
        var i = e.Message.IndexOf(Marker, StringComparison.Ordinal);
        return i < 0 ? null : e.Message[(i + Marker.Length)..];
    }

    /// <summary>The individual problems of a refusal, without the "cannot be approved:" preamble.</summary>
    public static IReadOnlyList<string> Problems(string webhookMessage)
    {
        var text = PreamblePattern().Replace(webhookMessage, "", 1);
        if (text.StartsWith("\n- ", StringComparison.Ordinal))
        {
            return text[3..].Split("\n- ");
        }
        return [text.TrimEnd('.')];
    }

    public static string Explain(RefusalContext ctx, string webhookMessage)
    {
        var sentences = Problems(webhookMessage).Select(p => Sentence(ctx, p)).Distinct().ToList();
        var what = ctx.Action switch
        {
            "approve" => $"approving changeapproval {ctx.Name} in namespace {ctx.Namespace}",
            "withdraw" => $"withdrawing your approval from changeapproval {ctx.Name} in namespace {ctx.Namespace}",
            _ => $"creating changeapproval {ctx.Name} in namespace {ctx.Namespace}",
        };
        return $"error: {what} was refused by the admission webhook: {string.Join(" ", sentences)} Nothing was changed.";
    }

    private static string Sentence(RefusalContext ctx, string problem)
    {
        var me = ctx.Me.Username;
        Match m;
        if ((m = OwnRequest().Match(problem)).Success)
        {
            return $"you ({me}) requested this change yourself, and nobody may approve their own request; " +
                   $"ask an approver to run `kubectl change approve {ctx.Name} -n {ctx.Namespace}`.";
        }
        if ((m = NotApprover().Match(problem)).Success)
        {
            var groups = ctx.Me.Groups.Where(g => !g.StartsWith("system:", StringComparison.Ordinal)).ToList();
            var yours = groups.Count == 0 ? "you are in none of them" : $"your groups are {string.Join(", ", groups)}";
            return $"you ({m.Groups["user"].Value}) are not an approver: only members of {m.Groups["groups"].Value} may approve, and {yours}.";
        }
        if ((m = ExpiredPattern().Match(problem)).Success)
        {
            var at = m.Groups["at"].Value;
            var ago = Policies.Model.ChangeApprovalReader.TryParseTime(at, out var t) ? $" ({Durations.Relative(t, ctx.Now)})" : "";
            var requester = ctx.Approval?.RequestedBy is { } r ? r : "the requester";
            return $"it expired at {at}{ago} and can no longer be approved; {requester} must request a new one.";
        }
        if ((m = AlreadyApproved().Match(problem)).Success)
        {
            return m.Groups["user"].Value == me
                ? $"you ({me}) have already approved it, and each approver counts once."
                : $"{m.Groups["user"].Value} has already approved it, and each approver counts once.";
        }
        if ((m = Forged().Match(problem)).Success)
        {
            return $"the new entry names {m.Groups["named"].Value} as the approver, but the API server knows you as {m.Groups["user"].Value}, " +
                   $"and an approval can only be added in your own name{OverrideHint(ctx)}.";
        }
        if ((m = ClockSkew().Match(problem)).Success)
        {
            return $"the approval time {m.Groups["at"].Value} taken from this computer's clock is more than 5 minutes away from the API server's clock " +
                   $"({m.Groups["server"].Value}); correct this computer's clock and try again.";
        }
        if ((m = OthersEntry().Match(problem)).Success)
        {
            return $"the approval by {m.Groups["other"].Value} is not yours, and only your own approval can be withdrawn.";
        }
        if (problem.StartsWith("at most one approval can be added", StringComparison.Ordinal))
        {
            return "someone else changed its approvals at the same moment; run the command again.";
        }
        if (problem.StartsWith("only spec.approvals may change", StringComparison.Ordinal))
        {
            return "a ChangeApproval cannot be edited after it was requested (only approvals may be added or withdrawn); request a new one instead.";
        }
        if ((m = RequesterMismatch().Match(problem)).Success)
        {
            return $"the request names {m.Groups["named"].Value} as requester, but the API server knows you as {m.Groups["user"].Value}, " +
                   $"and a change can only be requested in your own name{OverrideHint(ctx)}.";
        }
        if ((m = TooLong().Match(problem)).Success)
        {
            return $"it would stay valid for longer than the policy allows (maxValidity {m.Groups["max"].Value}); use a shorter --expires-in.";
        }
        if ((m = TicketRequired().Match(problem)).Success)
        {
            return $"the policy requires a ticket matching {m.Groups["pattern"].Value}; pass --ticket.";
        }
        if ((m = TicketMismatch().Match(problem)).Success)
        {
            return $"the ticket {m.Groups["ticket"].Value} does not match the policy's pattern {m.Groups["pattern"].Value}.";
        }
        if (problem.StartsWith("spec.expiresAt: ", StringComparison.Ordinal) && problem.EndsWith("is not in the future", StringComparison.Ordinal))
        {
            return "it would already have expired when created; check --not-before and --expires-in.";
        }
        return problem.EndsWith('.') ? problem : problem + ".";
    }

    private static string OverrideHint(RefusalContext ctx) =>
        ctx.UserOverride is { Length: > 0 } o ? $" (KUBECTL_CHANGE_USER is set to \"{o}\"; unset it)" : "";

    [GeneratedRegex(@"^this ChangeApproval cannot be [a-z]+: ")]
    private static partial Regex PreamblePattern();

    [GeneratedRegex(@"^(?<requester>.+) requested this change and cannot approve it$")]
    private static partial Regex OwnRequest();

    [GeneratedRegex(@"^(?<user>.+) is in none of the approver groups \((?<groups>.*)\)$")]
    private static partial Regex NotApprover();

    [GeneratedRegex(@"^it expired at (?<at>\S+) and can no longer be approved$")]
    private static partial Regex ExpiredPattern();

    [GeneratedRegex(@"^(?<user>.+) has already approved it$")]
    private static partial Regex AlreadyApproved();

    [GeneratedRegex("^the new entry's approver must be your own username \"(?<user>.*)\", not \"(?<named>.*)\"$")]
    private static partial Regex Forged();

    [GeneratedRegex(@"^the new entry's approvedAt (?<at>\S+) is more than 5 minutes from the server's clock \((?<server>\S+)\)$")]
    private static partial Regex ClockSkew();

    [GeneratedRegex(@"^the approval by (?<other>.+) cannot be changed or removed by (?<user>.+); only your own entry may be withdrawn$")]
    private static partial Regex OthersEntry();

    [GeneratedRegex("^spec.requestedBy: must be your own username \"(?<user>.*)\", not \"(?<named>.*)\"$")]
    private static partial Regex RequesterMismatch();

    [GeneratedRegex(@"^spec.expiresAt: is more than maxValidity \((?<max>[^)]+)\) after")]
    private static partial Regex TooLong();

    [GeneratedRegex(@"^spec.ticket: is required and must match (?<pattern>.+)$")]
    private static partial Regex TicketRequired();

    [GeneratedRegex("^spec.ticket: \"(?<ticket>.*)\" does not match (?<pattern>.+)$")]
    private static partial Regex TicketMismatch();
}
