using System.Globalization;

namespace Admission.Policies.Digest;

/// <summary>
/// Numbers as ECMAScript's Number.prototype.toString writes them (ECMA-262, Number::toString),
/// which RFC 8785 section 3.2.2.3 adopts: the shortest digits that round-trip, placed by the
/// exponent rules of that algorithm.
/// </summary>
public static class EcmaNumber
{
    public static string Format(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), "NaN and Infinity have no JSON form");
        }
        if (value == 0) return "0"; // minus zero too
        // .NET's "R" gives the shortest round-tripping digits (since .NET Core 3.0); only the
        // placement of the decimal point and exponent differs from ECMAScript.
        var r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var (digits, n) = Decompose(r);
        var k = digits.Length;
        var sign = value < 0 ? "-" : "";
        if (k <= n && n <= 21) return sign + digits + new string('0', n - k);
        if (0 < n && n <= 21) return sign + digits[..n] + "." + digits[n..];
        if (-6 < n && n <= 0) return sign + "0." + new string('0', -n) + digits;
        var e = n - 1;
        var exp = (e >= 0 ? "+" : "-") + Math.Abs(e).ToString(CultureInfo.InvariantCulture);
        return sign + (k == 1 ? digits : digits[..1] + "." + digits[1..]) + "e" + exp;
    }

    /// <summary>
    /// The significant digits (no leading or trailing zeros) and n such that the value is
    /// 0.digits × 10^n.
    /// </summary>
    private static (string Digits, int N) Decompose(string r)
    {
        var exponent = 0;
        var ePos = r.IndexOfAny(['E', 'e']);
        var mantissa = r;
        if (ePos >= 0)
        {
            exponent = int.Parse(r.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mantissa = r[..ePos];
        }
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var fracPart = dot >= 0 ? mantissa[(dot + 1)..] : "";
        var all = intPart + fracPart;
        var point = intPart.Length + exponent;
        var lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0') lead++;
        all = all[lead..];
        point -= lead;
        return (all.TrimEnd('0'), point);
    }
}
