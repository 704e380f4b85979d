namespace Admission.Policies.Tests.Digest;

/// <summary>
/// The examples RFC 8785 publishes, written from its text: section 3.2.2 (primitives),
/// section 3.2.3 (sorting) and Appendix B (number serialization, given as IEEE 754 bit patterns).
/// </summary>
public class Rfc8785VectorTests
{
    private static string Canonical(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return CanonicalJson.SerializeToString(doc.RootElement);
    }

    [Fact]
    public void Section_3_2_2_primitives_example()
    {
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;
        const string expected = """{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}""";
        Assert.Equal(expected, Canonical(input));
    }

    [Fact]
    public void Section_3_2_2_output_is_utf8_without_escaping_non_ascii()
    {
        using var doc = JsonDocument.Parse("\"\\u20ac\"");
        Assert.Equal(new byte[] { 0x22, 0xe2, 0x82, 0xac, 0x22 }, CanonicalJson.Serialize(doc.RootElement));
    }

    [Fact]
    public void Section_3_2_3_sorting_by_utf16_code_units()
    {
        const string input = """
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """;
        using var doc = JsonDocument.Parse(Canonical(input));
        var order = doc.RootElement.EnumerateObject().Select(p => p.Value.GetString()!).ToArray();
        Assert.Equal(
            ["Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis", "Euro Sign", "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh"],
            order);
    }

    /// <summary>Appendix B's table as the RFC prints it: the IEEE 754 bit pattern in hex, then its serialization.</summary>
    public static TheoryData<string, string> AppendixB => TextTable.TwoColumns("""
        0000000000000000    0
        8000000000000000    0
        0000000000000001    5e-324
        8000000000000001    -5e-324
        7fefffffffffffff    1.7976931348623157e+308
        ffefffffffffffff    -1.7976931348623157e+308
        4340000000000000    9007199254740992
        c340000000000000    -9007199254740992
        4430000000000000    295147905179352830000
        44b52d02c7e14af5    9.999999999999997e+22
        44b52d02c7e14af6    1e+23
        44b52d02c7e14af7    1.0000000000000001e+23
        444b1ae4d6e2ef4e    999999999999999700000
        444b1ae4d6e2ef4f    999999999999999900000
        444b1ae4d6e2ef50    1e+21
        3eb0c6f7a0b5ed8c    9.999999999999997e-7
        3eb0c6f7a0b5ed8d    0.000001
        41b3de4355555553    333333333.3333332
        41b3de4355555554    333333333.33333325
        41b3de4355555555    333333333.3333333
        41b3de4355555556    333333333.3333334
        41b3de4355555557    333333333.33333343
        becbf647612f3696    -0.0000033333333333333333
        43143ff3c1cb0959    1424953923781206.2
        """);

    [Theory]
    [MemberData(nameof(AppendixB))]
    public void Appendix_B_numbers(string ieeeHex, string expected)
    {
        var value = BitConverter.Int64BitsToDouble(Convert.ToInt64(ieeeHex, 16));
        Assert.Equal(expected, EcmaNumber.Format(value));
    }

    [Theory]
    [InlineData("7fffffffffffffff")] // NaN
    [InlineData("7ff0000000000000")] // Infinity
    public void Appendix_B_NaN_and_Infinity_are_errors(string ieeeHex)
    {
        var value = BitConverter.Int64BitsToDouble(Convert.ToInt64(ieeeHex, 16));
        Assert.Throws<ArgumentOutOfRangeException>(() => EcmaNumber.Format(value));
    }

    [Theory]
    [InlineData("[1.0, 1e0, 10e-1, 0.1e1]", "[1,1,1,1]")]
    [InlineData("[-0.0, 0e5]", "[0,0]")]
    [InlineData("[1e21, 1e-7, 123e-7]", "[1e+21,1e-7,0.0000123]")]
    // The contract's exception: integers keep their digits, so values beyond 2^53 stay distinct.
    [InlineData("[9007199254740993, 123456789012345678901234567890, -0]", "[9007199254740993,123456789012345678901234567890,0]")]
    public void Numbers_in_documents(string input, string expected) => Assert.Equal(expected, Canonical(input));

    [Theory]
    [InlineData("\"\\u001f\\u007f\\u2028\"", "\"\\u001f\u007f\u2028\"")]
    [InlineData("\"\\b\\f\\n\\r\\t\"", "\"\\b\\f\\n\\r\\t\"")]
    public void Only_required_escapes(string input, string expected) => Assert.Equal(expected, Canonical(input));

    [Fact]
    public void A_key_twice_in_one_object_has_no_canonical_form()
    {
        var e = Assert.Throws<FormatException>(() => Canonical("""{"a":1,"a":2}"""));
        Assert.Contains("\"a\" appears twice", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"spec":{"replicas":1},"spec":{"x":1}}""")] // the first spec is pruned away, left empty
    [InlineData("""{"status":1,"status":2,"spec":{}}""")] // both pruned
    public void A_key_twice_has_no_change_digest_even_where_content_is_pruned(string json)
    {
        using var doc = JsonDocument.Parse(json);
        Assert.False(ChangeDigest.TryOf(doc.RootElement, AdmissionPolicy.Default, out _, out var problem));
        Assert.Contains("appears twice", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_number_beyond_double_range_is_an_error() =>
        Assert.Throws<FormatException>(() => Canonical("[1e400]"));
}
