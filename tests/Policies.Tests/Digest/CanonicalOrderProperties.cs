using System.Text;
using System.Text.Json;
using Admission.Policies.Digest;
using CsCheck;

namespace Admission.Policies.Tests.Digest;

/// <summary>
/// RFC 8785 3.2.3: members come out ordered by the UTF-16 code units of their names, whatever
/// order they were written in, for small objects and for objects large enough that the
/// serializer sorts them differently (more than 32 members), nested or not, with names that
/// are ASCII, non-ASCII, beyond the Basic Multilingual Plane, or escaped in the input.
/// </summary>
public class CanonicalOrderProperties
{
    private static readonly Gen<string> Name = Gen.OneOf(
        Gen.String[Gen.Char.AlphaNumeric, 0, 5],
        Gen.String[Gen.Char[(char)0x20, (char)0x7ff], 1, 3],
        Gen.OneOfConst("😀", "\uE000", "\uFFFD", "é", "e\u0301", "a\"b", "back\\slash", "tab\t"));

    [Fact]
    public void Members_come_out_in_utf16_order_whatever_their_number_and_input_order()
    {
        Gen.Select(Name.HashSet[0, 70], Gen.Int, Gen.Bool).Sample((names, seed, nest) =>
        {
            var random = new Random(seed);
            var keys = names.ToArray();
            var shuffled = keys.OrderBy(_ => random.Next()).ToArray();
            var json = new StringBuilder("{");
            for (var i = 0; i < shuffled.Length; i++)
            {
                if (i > 0) json.Append(',');
                // Every other name escaped in full: the order is of the names, not of their spelling.
                json.Append(i % 2 == 0 ? JsonSerializer.Serialize(shuffled[i]) : Escaped(shuffled[i]));
                json.Append(':').Append(nest ? "{\"z\":1,\"a\":" + i + "}" : i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            json.Append('}');
            using var doc = JsonDocument.Parse(json.ToString());
            using var canonical = JsonDocument.Parse(CanonicalJson.Serialize(doc.RootElement));
            var order = canonical.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
            Assert.Equal(keys.OrderBy(k => k, StringComparer.Ordinal).ToArray(), order);
            if (nest)
            {
                Assert.All(canonical.RootElement.EnumerateObject(), p => Assert.Equal(["a", "z"], p.Value.EnumerateObject().Select(q => q.Name)));
            }
        });
    }

    private static string Escaped(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s) sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
        return sb.Append('"').ToString();
    }
}
