using System.Globalization;

namespace Admission.Policies;

/// <summary>
/// Durations written the way Kubernetes and Go write them: <c>168h</c>, <c>1h30m</c>, <c>90s</c>.
/// The one duration parser of the project: the policy file uses Go's units only, and the plugin adds
/// days (<c>2d</c>) for the windows people type, through <paramref name="allowDays"/>.
/// </summary>
public static class GoDuration
{
    public static bool TryParse(string text, out TimeSpan duration) => TryParse(text, allowDays: false, out duration);

    public static bool TryParse(string text, bool allowDays, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        if (text == "0")
        {
            return true;
        }
        var i = 0;
        double totalMs = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }
            if (start == i || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }
            var unitStart = i;
            while (i < text.Length && !char.IsAsciiDigit(text[i]) && text[i] != '.')
            {
                i++;
            }
            double unitMs = text[unitStart..i] switch
            {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" when allowDays => 86_400_000,
                _ => double.NaN,
            };
            if (double.IsNaN(unitMs))
            {
                return false;
            }
            totalMs += number * unitMs;
        }
        if (totalMs > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }
        duration = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    public static string Format(TimeSpan d)
    {
        if (d.TotalHours >= 1 && d.Minutes == 0 && d.Seconds == 0 && d.Milliseconds == 0)
        {
            return ((long)d.TotalHours).ToString(CultureInfo.InvariantCulture) + "h";
        }
        var parts = new List<string>();
        if ((long)d.TotalHours > 0) parts.Add(((long)d.TotalHours).ToString(CultureInfo.InvariantCulture) + "h");
        if (d.Minutes > 0) parts.Add(d.Minutes.ToString(CultureInfo.InvariantCulture) + "m");
        if (d.Seconds > 0 || parts.Count == 0) parts.Add(d.Seconds.ToString(CultureInfo.InvariantCulture) + "s");
        return string.Concat(parts);
    }
}
