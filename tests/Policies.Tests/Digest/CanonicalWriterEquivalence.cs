using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Admission.Policies.Digest;
using CsCheck;

namespace Admission.Policies.Tests.Digest;

/// <summary>
/// The per-thread <see cref="CanonicalWriter"/> and the reused hash must give exactly the bytes,
/// digests and errors the writer before them gave (<see cref="ReferenceCanonicalJson"/>), on JSON
/// made to reach every path: keys out of order, escaped, non-ASCII, beyond the BMP, repeated;
/// numbers in every spelling RFC 8785 and the contract treat differently; strings with escapes and
/// lone surrogates; nested arrays and objects, some with more than 32 members; and workload-shaped
/// objects whose pruned paths (metadata, status, spec.replicas, the restart annotation) are present.
/// </summary>
public class CanonicalWriterEquivalence
{
    private static readonly Gen<string> Key = Gen.OneOf(
        Gen.OneOfConst("a", "b", "B", "Z", "aa", "spec", "metadata", "status", "replicas", "template", "annotations", "jobTemplate",
            ContentPruning.RestartedAt, "é", "€", "😀", "\uE000", "\uFFFD", "e\u0301", "a\"b", "back\\slash", "tab\t", "\u0001", ""),
        Gen.String[Gen.Char.AlphaNumeric, 0, 5]);

    private static readonly Gen<string> Number = Gen.OneOf(
        Gen.OneOfConst("0", "-0", "1", "-1", "10", "1.0", "-0.0", "1e2", "1E+2", "2e-0", "1.5e-7", "0.1", "0.000001", "1e21", "1e-7", "123.456e3",
            "123456789012345678901234567890", "-98765432109876543210", "9007199254740993", "5e-324", "1.7976931348623157e308", "1e400", "-1e-400", "100e-2"),
        Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Double.Where(double.IsFinite).Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Double.Where(double.IsFinite).Select(d => d.ToString("E16", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>A JSON string literal: plain, with short and \u escapes, a surrogate pair, a lone surrogate, raw non-ASCII.</summary>
    private static readonly Gen<string> StringLiteral = Gen.OneOf(
        Gen.String[Gen.Char.AlphaNumeric, 0, 8].Select(s => "\"" + s + "\""),
        Gen.OneOfConst("\"a\\nb\"", "\"\\u00e9\"", "\"\\ud83d\\ude00\"", "\"\\ud800\"", "\"x\\udc00\"", "\"\\u0000\"", "\"€😀\"", "\"q\\\"\\\\\"",
            "\"\\/\"", "\"\\b\\f\\r\\t\"", "\"\\u001f\"", "\"\\u007f\""),
        Gen.String[Gen.Char[(char)0x20, (char)0x7ff], 0, 4].Select(s => System.Text.Json.JsonSerializer.Serialize(s)));

    private static Gen<string> Value(int depth) => depth == 0
        ? Gen.OneOf(Number, StringLiteral, Gen.OneOfConst("true", "false", "null", "{}", "[]"))
        : Gen.Frequency(
            (4, Value(0)),
            (2, Value(depth - 1).Array[0, 4].Select(items => "[" + string.Join(",", items) + "]")),
            (3, Object(Value(depth - 1), 0, 6)),
            (1, Object(Value(0), 30, 40)));

    /// <summary>An object of distinct keys (one in 20 with its first key repeated), its members in random order, some names escaped in full.</summary>
    private static Gen<string> Object(Gen<string> value, int min, int max) =>
        Gen.Select(Key.HashSet[min, max], value.Array[max + 1], Gen.Int[0, 19], Gen.Int, (keys, values, repeat, seed) =>
        {
            var random = new Random(seed);
            var names = keys.ToList();
            if (repeat == 0 && names.Count > 0) names.Add(names[0]);
            var parts = names.Select((k, i) => Literal(k, random) + ":" + values[i]).OrderBy(_ => random.Next());
            return "{" + string.Join(",", parts) + "}";
        });

    private static string Literal(string key, Random random) => random.Next(3) == 0
        ? "\"" + string.Concat(key.Select(c => "\\u" + ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture))) + "\""
        : System.Text.Json.JsonSerializer.Serialize(key);

    /// <summary>A workload: the pruned paths present, their neighbours and values random.</summary>
    private static readonly Gen<string> Workload = Gen.Select(Gen.OneOfConst("Deployment", "CronJob", "Pod"), Value(2), Value(2), Value(2), Gen.Bool)
        .Select(t =>
        {
            var (kind, a, b, c, cron) = t;
            var template = "{\"metadata\":{\"annotations\":{\"" + ContentPruning.RestartedAt + "\":" + a + "," + "\"other\":" + b + "},\"labels\":{}},\"spec\":" + c + "}";
            var spec = cron
                ? "{\"schedule\":\"* * * * *\",\"jobTemplate\":{\"spec\":{\"template\":" + template + "}}}"
                : "{\"replicas\":" + b + ",\"template\":" + template + "}";
            return "{\"kind\":\"" + kind + "\",\"metadata\":{\"name\":\"x\"},\"spec\":" + spec + ",\"status\":" + a + "}";
        });

    private static readonly Gen<string> Document = Gen.Frequency((3, Object(Value(2), 0, 7)), (2, Workload), (1, Value(2)));

    [Fact]
    public void The_writer_gives_the_bytes_and_errors_of_the_reference_writer()
    {
        Gen.Select(Document, Gen.Int[0, 8]).Sample((json, pruningChoice) =>
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            var pruning = pruningChoice == 8 ? null : ContentPruning.For((pruningChoice & 4) != 0, (pruningChoice & 2) != 0, (pruningChoice & 1) != 0);
            Assert.Equal(Run(b => ReferenceCanonicalJson.Write(doc.RootElement, pruning, b)), Run(b => CanonicalJson.Write(doc.RootElement, pruning, b)));
        }, iter: 3000, print: t => t.Item1 + " pruning " + t.Item2);
    }

    [Fact]
    public void The_digest_is_the_sha256_of_the_reference_bytes()
    {
        Gen.Select(Document, Gen.Bool, Gen.Bool).Sample((json, replicas, restarts) =>
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object) return;
            var cron = doc.RootElement.TryGetProperty("kind", out var k) && k.ValueKind == System.Text.Json.JsonValueKind.String && k.ValueEquals("CronJob");
            var reference = Run(b => ReferenceCanonicalJson.Write(doc.RootElement, ContentPruning.For(cron, replicas, restarts), b));
            string actual;
            try
            {
                actual = ChangeDigest.Of(doc.RootElement, replicas, restarts);
            }
            catch (FormatException)
            {
                // The reference failed too (a repeated key, a number out of range, a lone surrogate).
                Assert.StartsWith("error ", reference);
                return;
            }
            Assert.Equal(ChangeDigest.Prefix + Convert.ToHexStringLower(SHA256.HashData(Convert.FromBase64String(reference))), actual);
        }, iter: 2000, print: t => t.Item1);
    }

    /// <summary>The bytes written (base64), or the exception's type and message.</summary>
    private static string Run(Action<ArrayBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            write(buffer);
            return Convert.ToBase64String(buffer.WrittenSpan);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or EncoderFallbackException)
        {
            return "error " + e.GetType().Name + ": " + e.Message;
        }
    }
}
