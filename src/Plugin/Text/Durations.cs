using System.Globalization;
using Admission.Policies;

namespace Admission.Plugin.Text;

/// <summary>Durations as users type them (<c>24h</c>, <c>90m</c>, <c>1h30m</c>, <c>2d</c>) and as kubectl prints them.</summary>
public static class Durations
{
    /// <summary>
    /// Go-style durations (<c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>), plus <c>d</c> for days, with
    /// several parts allowed (<c>1d12h</c>). Only positive durations are accepted.
    /// </summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text) || !GoDuration.TryParse(text.Trim(), allowDays: true, out var parsed)) return false;
        if (parsed <= TimeSpan.Zero || parsed > MaxWindow) return false;
        duration = parsed;
        return true;
    }

    // A window longer than a century is a typing mistake, not a request.
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(100 * 365);

    /// <summary>kubectl's HumanDuration (the AGE column): <c>95s</c>, <c>5m3s</c>, <c>42m</c>, <c>3h12m</c>, <c>20h</c>, <c>3d4h</c>, <c>40d</c>.</summary>
    public static string Human(TimeSpan d)
    {
        var seconds = (long)Math.Floor(d.TotalSeconds);
        if (seconds < -1) return "<invalid>";
        if (seconds < 0) return "0s";
        if (seconds < 60 * 2) return F($"{seconds}s");
        var minutes = seconds / 60;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? F($"{minutes}m") : F($"{minutes}m{s}s");
        }
        if (minutes < 60 * 3) return F($"{minutes}m");
        var hours = minutes / 60;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? F($"{hours}h") : F($"{hours}h{m}m");
        }
        if (hours < 48) return F($"{hours}h");
        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? F($"{hours / 24}d") : F($"{hours / 24}d{h}h");
        }
        if (hours < 24 * 365 * 2) return F($"{hours / 24}d");
        if (hours < 24 * 365 * 8)
        {
            var dy = hours / 24 % 365;
            return dy == 0 ? F($"{hours / 24 / 365}y") : F($"{hours / 24 / 365}y{dy}d");
        }
        return F($"{hours / 24 / 365}y");
    }

    /// <summary>How far <paramref name="time"/> is from <paramref name="now"/>, in words: <c>in 3h12m</c> or <c>5m ago</c>.</summary>
    public static string Relative(DateTimeOffset time, DateTimeOffset now) =>
        time >= now ? "in " + Human(time - now) : Human(now - time) + " ago";

    /// <summary>RFC 3339 in UTC to the second, as Kubernetes writes times.</summary>
    public static string Rfc3339(DateTimeOffset time) => Policies.Model.ChangeApprovalReader.FormatTime(time);

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
