using CsCheck;

namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// The envelope's strings are handed out again from a per-thread table (RecurringStrings) instead
/// of decoded again: whatever is in the table, a string read must be what GetString gives, and a
/// string GetString refuses must still be refused.
/// </summary>
public sealed class RecurringStringsTests
{
    public static TheoryData<string, string> Values => new()
    {
        // name, the JSON string as written
        { "plain", "\"payments\"" },
        { "empty", "\"\"" },
        { "non-ASCII written raw", "\"pågående-ütf8-名前\"" },
        { "non-ASCII escaped", "\"p\\u00e5g\\u00e5ende\"" },
        { "an escaped quote", "\"say \\\"hi\\\"\"" },
        { "a backslash escape only", "\"a\\\\b\"" },
        { "a surrogate pair escaped", "\"\\ud83d\\ude00\"" },
        { "64 bytes", "\"" + new string('a', 64) + "\"" },
        { "65 bytes", "\"" + new string('b', 65) + "\"" },
        { "a replacement character written raw", "\"\uFFFD\"" },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void A_string_reads_as_GetString_reads_it_the_first_time_and_again(string name, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var expected = doc.RootElement.GetString();

        Assert.True(expected == RecurringStrings.Get(doc.RootElement), name + ": first read");
        using var again = JsonDocument.Parse(json);
        Assert.True(expected == RecurringStrings.Get(again.RootElement), name + ": read again (from the table)");
    }

    /// <summary>A lone surrogate escape is no text: refused on every read, even after its replacement character was kept.</summary>
    [Fact]
    public void A_lone_surrogate_escape_is_refused_as_GetString_refuses_it()
    {
        using (var replacement = JsonDocument.Parse("\"\uFFFD\""))
        {
            Assert.Equal("\uFFFD", RecurringStrings.Get(replacement.RootElement));
        }
        using var lone = JsonDocument.Parse("\"\\ud800\"");

        Assert.Throws<InvalidOperationException>(() => lone.RootElement.GetString());
        Assert.Throws<InvalidOperationException>(() => RecurringStrings.Get(lone.RootElement));
        Assert.Throws<InvalidOperationException>(() => RecurringStrings.Get(lone.RootElement));
    }

    /// <summary>
    /// Many strings, few of them distinct (so most reads find the table holding them, and slots
    /// are shared between different strings), written raw or escaped: every read is GetString's.
    /// </summary>
    [Fact]
    public void Any_sequence_of_strings_reads_as_GetString_reads_it()
    {
        var text = Gen.OneOf(Gen.String[Gen.Char.AlphaNumeric, 0, 12], Gen.String[0, 70], Gen.OneOfConst("payments", "apps", "Deployment", "paymentt", "", "UPDATE"));
        var raw = new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var gen = from pool in text.Array[1, 300]
                  from picks in Gen.Select(Gen.Int[0, 299], Gen.Bool).Array[1, 400]
                  select (pool, picks);
        gen.Sample(c =>
        {
            foreach (var (pick, escaped) in c.picks)
            {
                var value = c.pool[pick % c.pool.Length];
                var json = escaped ? JsonSerializer.Serialize(value) : JsonSerializer.Serialize(value, raw);
                using var doc = JsonDocument.Parse(json);
                string? expected;
                try
                {
                    expected = doc.RootElement.GetString();
                }
                catch (InvalidOperationException)
                {
                    Assert.Throws<InvalidOperationException>(() => RecurringStrings.Get(doc.RootElement));
                    continue;
                }
                var read = RecurringStrings.Get(doc.RootElement);
                Assert.True(read == expected, $"{json} read as \"{read}\", not \"{expected}\"");
            }
        }, iter: 300);
    }
}
